import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Redis } from 'ioredis';
import { registeredRoutes } from './support/route-tree';
import { startService, type ServiceTestbed } from './support/service-testbed';

type Role = 'pod' | 'gateway' | 'read' | 'admin';

const TOKENS: Record<Role, string> = {
  pod: 'pod-token-0123456789abcdef',
  gateway: 'gateway-token-0123456789abcdef',
  read: 'read-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};

/**
 * The roles table of docs/http-api.md, written here as it is there: which roles each kind of route
 * allows (an admin token may do everything). A route the service serves that no row matches fails
 * the test: a new route needs its rule.
 */
const TABLE: { row: string; matches: (method: string, path: string) => boolean; roles: Role[] }[] =
  [
    {
      row: 'PUT .../pods/{podId}/status, .../load',
      matches: (m, p) => m === 'PUT' && /\/pods\/\{podId\}\/(status|load)$/.test(p),
      roles: ['pod', 'admin'],
    },
    {
      row: 'PUT .../pods/{podId}/state, DELETE .../pods/{podId}, POST .../release',
      matches: (m, p) =>
        (m === 'PUT' && p.endsWith('/pods/{podId}/state')) ||
        (m === 'DELETE' && p.endsWith('/pods/{podId}')) ||
        (m === 'POST' && p.endsWith('/release')),
      roles: ['admin'],
    },
    {
      row: 'GET .../route, POST .../compute, PUT/DELETE a link, POST .../batch-get',
      matches: (m, p) =>
        (m === 'GET' && p.endsWith('/route')) ||
        (m === 'POST' && p.endsWith('/compute')) ||
        ((m === 'PUT' || m === 'DELETE') && p.endsWith('/users/{uid}/links/{svc}')) ||
        (m === 'POST' && p.endsWith('/links/batch-get')),
      roles: ['gateway', 'admin'],
    },
    {
      row: 'PUT .../workload',
      matches: (m, p) => m === 'PUT' && p.endsWith('/workload'),
      roles: ['admin'],
    },
    { row: 'every GET', matches: (m) => m === 'GET', roles: ['gateway', 'read', 'admin'] },
  ];

function concrete(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]);
}

describe('scoped tokens: the roles table holds for every /v1 route', () => {
  let svc: ServiceTestbed;
  let raw: Redis;
  let dir: string;
  let routes: { method: string; path: string; roles: Role[] }[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokens-'));
    const file = join(dir, 'tokens.json');
    writeFileSync(
      file,
      JSON.stringify({
        tokens: [
          { token: TOKENS.pod, role: 'pod', namespaces: ['prod'], services: ['game'], pods: [1] },
          { token: TOKENS.gateway, role: 'gateway', namespaces: ['prod'] },
          { token: TOKENS.read, role: 'read', namespaces: ['prod'] },
          { token: TOKENS.admin, role: 'admin', namespaces: ['*'] },
        ],
      }),
    );
    svc = await startService({ API_TOKENS_FILE: file, CONSOLE: 'true' });
    raw = new Redis(svc.server.url);
    const tree = svc.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    routes = [...registeredRoutes(tree)]
      .filter((route) => route.includes(' /v1/'))
      .map((route) => {
        const [method, path] = route.split(' ');
        const rule = TABLE.find((row) => row.matches(method, path));
        if (rule === undefined) throw new Error(`no rule of the roles table for ${route}`);
        return { method, path, roles: rule.roles };
      });
  });
  afterAll(async () => {
    raw?.disconnect();
    await svc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: string, path: string, token: string, query = '') =>
    fetch(`${svc.baseUrl}${path}${query}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === 'PUT' || method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body: method === 'PUT' || method === 'POST' ? '{}' : undefined,
    });
  const params = { ns: 'prod', svc: 'game', podId: '1', uid: 'u1' };
  // Routes without a namespace in the path name it in the query (scoped tokens must).
  const queryFor = (path: string) => (path.includes('{ns}') ? '' : '?namespace=prod');

  it('every role is refused with 403 where the table says no, naming what it may not do, and writes nothing', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(24);
    await raw.set('sf:{prod:lk:u1}game', '1');
    const before = (await raw.keys('*')).sort();
    let refused = 0;
    for (const { method, path, roles } of routes) {
      for (const role of ['pod', 'gateway', 'read'] as Role[]) {
        if (roles.includes(role)) continue;
        const response = await call(method, concrete(path, params), TOKENS[role], queryFor(path));
        expect(response.status, `${role} ${method} ${path}`).toBe(403);
        const body = (await response.json()) as { message: string };
        expect(body.message).toMatch(
          new RegExp(`^the ${role} token \\(tokens\\[\\d\\]\\) may not call \\w+$`),
        );
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(30);
    expect((await raw.keys('*')).sort()).toEqual(before);
  });

  it("every role passes where the table says yes (the answer is the route's, not 401 or 403)", async () => {
    for (const { method, path, roles } of routes) {
      for (const role of [...roles, 'admin'] as Role[]) {
        const response = await call(method, concrete(path, params), TOKENS[role], queryFor(path));
        expect([401, 403], `${role} ${method} ${path}`).not.toContain(response.status);
      }
    }
  });

  it('scopes: a pod token for its own pod and service only, every token in its namespaces only', async () => {
    const status = (path: string, token: string) => call('PUT', path, token).then((r) => r.status);
    expect(await status('/v1/namespaces/prod/services/game/pods/1/status', TOKENS.pod)).not.toBe(
      403,
    );
    const otherPod = await call(
      'PUT',
      '/v1/namespaces/prod/services/game/pods/2/status',
      TOKENS.pod,
    );
    expect(otherPod.status).toBe(403);
    expect(((await otherPod.json()) as { message: string }).message).toBe(
      'the pod token (tokens[0]) may not act for pod 2',
    );
    expect(await status('/v1/namespaces/prod/services/chat/pods/1/status', TOKENS.pod)).toBe(403);
    expect(await status('/v1/namespaces/staging/services/game/pods/1/status', TOKENS.pod)).toBe(
      403,
    );
    const elsewhere = await call(
      'GET',
      '/v1/namespaces/staging/users/u1/links/game',
      TOKENS.gateway,
    );
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { message: string }).message).toBe(
      'the gateway token (tokens[1]) may not act on namespace staging',
    );
    const everywhere = await call('GET', '/v1/services', TOKENS.read);
    expect(everywhere.status).toBe(403);
    expect((await call('GET', '/v1/services', TOKENS.admin)).status).toBe(200);
    expect((await call('GET', '/v1/services', 'not-a-token-of-this-service')).status).toBe(401);
  });
});

describe('scoped tokens: the file is read again without a restart', () => {
  let svc: ServiceTestbed;
  let dir: string;
  let file: string;
  const write = (tokens: unknown[]) => writeFileSync(file, JSON.stringify({ tokens }));
  const status = (token: string) =>
    fetch(`${svc.baseUrl}/v1/namespaces/prod/users/u1/links`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((response) => response.status);
  const until = async (condition: () => Promise<boolean>) => {
    for (let i = 0; i < 50 && !(await condition()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return condition();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokens-reload-'));
    file = join(dir, 'tokens.json');
    write([{ token: TOKENS.read, role: 'read', namespaces: ['prod'] }]);
    svc = await startService({ API_TOKENS_FILE: file });
  });
  afterAll(async () => {
    await svc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on change: new tokens count, removed ones do not; a bad file keeps the tokens in force', async () => {
    expect(await status(TOKENS.read)).toBe(200);
    write([{ token: TOKENS.gateway, role: 'gateway', namespaces: ['prod'] }]);
    expect(await until(async () => (await status(TOKENS.gateway)) === 200)).toBe(true);
    expect(await status(TOKENS.read)).toBe(401);
    writeFileSync(file, '{"tokens": [ { "token": "short", "role": "read" } ]}');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await status(TOKENS.gateway)).toBe(200);
  }, 20_000);

  it('on SIGHUP', async () => {
    // Rewritten with its modification time kept (a whole second, restored exactly): only the
    // signal can make the service read it.
    const stamp = Math.floor(Date.now() / 1_000) - 60;
    utimesSync(file, stamp, stamp);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    write([{ token: TOKENS.admin, role: 'admin', namespaces: ['*'] }]);
    utimesSync(file, stamp, stamp);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await status(TOKENS.admin)).toBe(401);
    process.kill(process.pid, 'SIGHUP');
    expect(await until(async () => (await status(TOKENS.admin)) === 200)).toBe(true);
    expect(await status(TOKENS.gateway)).toBe(401);
  }, 20_000);
});
