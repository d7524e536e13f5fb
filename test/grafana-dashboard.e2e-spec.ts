import { readFileSync } from 'fs';
import { join } from 'path';
import { useService } from './support/service-testbed';

interface Panel {
  title: string;
  targets: { expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(join(__dirname, '..', 'deploy', 'grafana', 'stateful-store.json'), 'utf8'),
) as { panels: Panel[]; templating: { list: { name: string }[] } };

/** The metric names a PromQL expression reads (this project's are all `stateful_*`). */
function metricsOf(expr: string): string[] {
  return [...expr.matchAll(/\b(stateful_[a-z_]+)\b/g)].map((match) => match[1]);
}

/**
 * deploy/grafana/stateful-store.json (SPEC §12): every metric the dashboard queries is one the
 * service exports, with the labels it groups by; every panel the issue asks for is there.
 */
describe('the Grafana dashboard', () => {
  const svc = useService({ LINK_CACHE_MAX_ENTRIES: '1000', REDIS_WAIT_REPLICAS: '0' });

  it('queries only metrics, and labels, the service exports', async () => {
    // Some traffic first, so that labelled series exist.
    const base = '/v1/namespaces/prod/services/game';
    await svc.request('PUT', `${base}/pods/0/status`, { body: { load: 1, state: 'Ready' } });
    await svc.request('GET', `${base}/route?uid=u1`);
    await svc.request('GET', `${base}/route?uid=u1`);
    // An error (no pod in this service) and a malformed entry (another writer's bad value).
    await svc.request('GET', '/v1/namespaces/prod/services/empty/route?uid=u1');
    await svc.server.command('HSET', 'sf:{prod:state:game}', 'pod-x', 'Ready');
    await svc.request('GET', `${base}/pods`);
    const text = (await svc.request('GET', '/metrics')).body as string;
    const types = new Map(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]),
    );
    const exported = (name: string) => {
      if (types.has(name)) return true;
      const base = name.replace(/_(bucket|count|sum)$/, '');
      return base !== name && types.get(base) === 'histogram';
    };
    const queried = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((t) => metricsOf(t.expr)),
    );
    expect(queried.length).toBeGreaterThan(8);
    for (const name of new Set(queried)) expect(exported(name), name).toBe(true);
    // The labels the panels group by are on the series of the metrics they read.
    const labelsOf = new Map<string, Set<string>>();
    for (const [, name, labels] of text.matchAll(/^(stateful_[a-z_]+)\{([^}]*)\}/gm)) {
      const known = labelsOf.get(name) ?? new Set<string>();
      for (const [, label] of labels.matchAll(/([a-z_]+)="/g)) known.add(label);
      labelsOf.set(name, known);
    }
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        const onSeries = new Set(
          metricsOf(expr).flatMap((name) => [...(labelsOf.get(name) ?? [])]),
        );
        for (const [, grouped] of expr.matchAll(/by \(([^)]*)\)/g)) {
          for (const label of grouped.split(',').map((l) => l.trim())) {
            expect(onSeries.has(label), `${panel.title}: ${label}`).toBe(true);
          }
        }
      }
    }
    expect(text).toMatch(/^stateful_pods\{namespace="prod",service="game",state="Ready"\} 1$/m);
    expect(text).toMatch(
      /^stateful_operation_errors_total|^# TYPE stateful_operation_errors_total counter$/m,
    );
    expect(text).toMatch(/^stateful_operation_duration_seconds_bucket\{[^}]*operation="[^"]+"/m);
  });

  it('has the panels operators need, each on the datasource variable', () => {
    const titles = dashboard.panels.map((panel) => panel.title.toLowerCase());
    for (const wanted of [
      'requests',
      'errors',
      'latency',
      'cache hit',
      'pods per state',
      'malformed',
      'redis errors',
      'durability',
    ]) {
      expect(
        titles.some((title) => title.includes(wanted)),
        wanted,
      ).toBe(true);
    }
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual([
      'datasource',
      'job',
    ]);
  });
});
