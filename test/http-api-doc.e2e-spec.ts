import { readFileSync } from 'fs';
import { join } from 'path';
import { registeredRoutes } from './support/route-tree';
import { useService } from './support/service-testbed';

/** `METHOD /path` of every route docs/http-api.md's route table lists. */
function documentedRoutes(): Set<string> {
  const doc = readFileSync(join(__dirname, '..', 'docs', 'http-api.md'), 'utf8');
  const table = doc.slice(
    doc.indexOf('## Routes'),
    doc.indexOf('\n## ', doc.indexOf('## Routes') + 1),
  );
  const routes = new Set<string>();
  for (const line of table.split('\n')) {
    const firstCell = line.split('|')[1] ?? '';
    for (const [, route] of firstCell.matchAll(/`((?:GET|PUT|POST|DELETE) \/[^`]*)`/g)) {
      routes.add(route);
    }
  }
  return routes;
}

/**
 * docs/http-api.md's route table against the routes the service registers (console on): a route
 * added without its row, or a row left for a route removed, fails here. The static files of the
 * console and of Swagger UI are left out.
 */
describe("docs/http-api.md's route table", () => {
  const svc = useService({ CONSOLE: 'true' });

  it('lists exactly the routes the service serves', () => {
    const tree = svc.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    const served = [...registeredRoutes(tree)].filter(
      (route) => !/\.(js|css|png)$/.test(route) && !route.endsWith('/docs/'),
    );
    expect(served.length).toBeGreaterThan(25);
    expect([...documentedRoutes()].sort()).toEqual(served.sort());
  });
});
