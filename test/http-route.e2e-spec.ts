import { Redis } from 'ioredis';
import { startService, useService, type ServiceTestbed } from './support/service-testbed';

/** SPEC §9 over real HTTP: pod addresses on the status route, and the gateway route. */
const TOKEN = 'route-test-token-0123456789';
const BASE = '/v1/namespaces/prod/services/game';

async function route(
  bed: ServiceTestbed,
  query = '',
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${bed.baseUrl}${BASE}/route${query}`, {
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
  });
}

function report(bed: ServiceTestbed, podId: number, body: Record<string, unknown>) {
  return bed.request('PUT', `${BASE}/pods/${podId}/status`, { token: TOKEN, body });
}

/** A raw client of the service's Redis, closed after the test. */
const clients: Redis[] = [];
function rawClient(bed: ServiceTestbed): Redis {
  const client = new Redis(bed.server.url);
  clients.push(client);
  return client;
}
afterEach(() => clients.splice(0).forEach((client) => client.disconnect()));

/** Redis commands served so far, but INFO itself. */
async function redisCommands(bed: ServiceTestbed): Promise<number> {
  const stats = await rawClient(bed).info('commandstats');
  return [...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)]
    .filter(([, name]) => name !== 'info')
    .reduce((sum, [, , calls]) => sum + Number(calls), 0);
}

describe('the gateway route and pod addresses over HTTP', () => {
  const bed = useService({ API_TOKEN: TOKEN, POD_TABLE_TTL_MS: '0' });
  afterEach(() => rawClient(bed).flushall());

  it('takes the address in the status body, lists it, and refuses a bad one naming it', async () => {
    expect(
      (await report(bed, 0, { load: 1, state: 'Ready', address: '10.0.0.5:8080' })).status,
    ).toBe(204);
    const listed = await bed.request('GET', `${BASE}/addresses`, { token: TOKEN });
    expect(listed).toMatchObject({ status: 200, body: { addresses: { '0': '10.0.0.5:8080' } } });
    const bad = await report(bed, 1, { load: 1, address: '10.0.0.5' });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(
      /^Invalid address: must be host:port/,
    );
    expect((await bed.request('GET', `${BASE}/addresses?x=1`, { token: TOKEN })).status).toBe(400);
  });

  it('answers 200 with an empty body, x-stateful-pod and x-stateful-upstream, the same for a user each time', async () => {
    await report(bed, 3, { load: 1, state: 'Ready', address: '10.0.0.3:7000' });
    const first = await route(bed, '', { 'x-stateful-uid': 'u1' });
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('');
    expect(first.headers.get('x-stateful-pod')).toBe('3');
    expect(first.headers.get('x-stateful-upstream')).toBe('10.0.0.3:7000');
    await report(bed, 4, { load: 0, state: 'Ready', address: '10.0.0.4:7000' });
    const again = await route(bed, '?uid=u1');
    expect(again.headers.get('x-stateful-pod')).toBe('3');
    // A new user goes to the least loaded pod; the link is persistent, as computeLinkedPod's -1.
    expect((await route(bed, '?uid=u2')).headers.get('x-stateful-pod')).toBe('4');
    const client = rawClient(bed);
    expect(await client.ttl('sf:{prod:lk:u2}game')).toBe(-1);
    expect(await client.hget('sf:{prod:lk:u2}', 'game')).toBe('4');
  });

  it('reads the uid from the header first, then ?uid=', async () => {
    await report(bed, 0, { load: 1, address: '10.0.0.1:7000' });
    expect((await route(bed, '?uid=from-query', { 'x-stateful-uid': 'from-header' })).status).toBe(
      200,
    );
    const client = rawClient(bed);
    expect(await client.get('sf:{prod:lk:from-header}game')).toBe('0');
    expect(await client.exists('sf:{prod:lk:from-query}game')).toBe(0);
  });

  it('reads a UTF-8 uid in the header as the same uid as in ?uid=', async () => {
    await report(bed, 0, { load: 1, address: '10.0.0.1:7000' });
    const viaQuery = await route(bed, `?uid=${encodeURIComponent('joueur-é')}`);
    expect(viaQuery.status).toBe(200);
    const client = rawClient(bed);
    const keysAfterQuery = (await client.keys('*')).sort();
    // fetch sends header values as bytes: the UTF-8 of the uid, as a gateway would forward it.
    const viaHeader = await route(bed, '', {
      'x-stateful-uid': Buffer.from('joueur-é', 'utf8').toString('latin1'),
    });
    expect(viaHeader.status).toBe(200);
    expect((await client.keys('*')).sort()).toEqual(keysAfterQuery);
    const notUtf8 = await route(bed, '', { 'x-stateful-uid': 'caf\xe9' });
    expect(notUtf8.status).toBe(400);
    expect(((await notUtf8.json()) as { message: string }).message).toBe(
      'Invalid uid: must be UTF-8 in the header',
    );
  });

  it('refuses a missing or bad uid and unknown parameters with a 400 naming them, writing nothing', async () => {
    await report(bed, 0, { load: 1, address: '10.0.0.1:7000' });
    const client = rawClient(bed);
    const keysBefore = (await client.keys('*')).sort();
    const missing = await route(bed);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toBe(
      'Invalid uid: is required: the x-stateful-uid header or ?uid=',
    );
    expect(missing.headers.get('retry-after')).toBeNull();
    const bad = await route(bed, '', { 'x-stateful-uid': 'a{b}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^Invalid uid: /);
    const unknown = await route(bed, '?user=u1');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/^Invalid user: /);
    expect((await route(bed, '?uid=')).status).toBe(400);
    expect((await route(bed, '?uid=a&uid=b')).status).toBe(400);
    expect((await client.keys('*')).sort()).toEqual(keysBefore);
  });

  it('answers 503 with Retry-After when no pod is eligible, and when the pod has no address', async () => {
    const none = await route(bed, '?uid=u1');
    expect(none.status).toBe(503);
    expect(none.headers.get('retry-after')).toBe('1');
    expect(((await none.json()) as { message: string }).message).toBe(
      'No available pod for service game in namespace prod: no pod of the service is known: its pods must report their load',
    );
    await report(bed, 2, { load: 1 });
    const nowhere = await route(bed, '?uid=u1');
    expect(nowhere.status).toBe(503);
    expect(nowhere.headers.get('retry-after')).toBe('1');
    expect(((await nowhere.json()) as { message: string }).message).toBe(
      'pod 2 of service game has no address: it reported none and ROUTE_UPSTREAM_TEMPLATE is not set',
    );
  });

  it('a 503 says why: three pods known whose reports stopped', async () => {
    const client = rawClient(bed);
    const old = Date.now() - 45_000;
    await client.hset(
      'sf:{prod:state:svc3}:load',
      '0',
      `1:${old}`,
      '1',
      `2:${old}`,
      '2',
      `3:${old}`,
    );
    const response = await fetch(`${bed.baseUrl}/v1/namespaces/prod/services/svc3/route?uid=u1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { message: string }).message).toBe(
      'No available pod for service svc3 in namespace prod: 3 pods known, none with a load report newer than 30000 ms: pods must keep reporting',
    );
  });

  it('needs the token as every /v1 route does', async () => {
    const response = await fetch(`${bed.baseUrl}${BASE}/route?uid=u1`);
    expect(response.status).toBe(401);
  });
});

describe('the gateway route with its defaults from the environment', () => {
  let bed: ServiceTestbed;
  afterEach(() => bed?.close());

  it('uses ROUTE_UPSTREAM_TEMPLATE for pods without an address, ROUTE_UID_HEADER, ROUTE_MAX_LOAD', async () => {
    bed = await startService({
      API_TOKEN: TOKEN,
      ROUTE_UPSTREAM_TEMPLATE: '{svc}-{podId}.{svc}.{ns}.svc.cluster.local:8080',
      ROUTE_UID_HEADER: 'X-Player',
      ROUTE_MAX_LOAD: '10',
      POD_TABLE_TTL_MS: '0',
    });
    await report(bed, 5, { load: 10 });
    expect((await route(bed, '', { 'x-player': 'p1' })).status).toBe(503); // 10 is not below 10
    await report(bed, 6, { load: 9 });
    const placed = await route(bed, '', { 'x-player': 'p1', 'x-stateful-uid': 'ignored' });
    expect(placed.status).toBe(200);
    expect(placed.headers.get('x-stateful-pod')).toBe('6');
    expect(placed.headers.get('x-stateful-upstream')).toBe(
      'game-6.game.prod.svc.cluster.local:8080',
    );
  });

  it('costs no Redis call with the link cache once the user is linked', async () => {
    bed = await startService({
      API_TOKEN: TOKEN,
      LINK_CACHE_MAX_ENTRIES: '1000',
      POD_TABLE_TTL_MS: '60000',
    });
    await report(bed, 0, { load: 1, address: '10.0.0.1:7000' });
    expect((await route(bed, '?uid=u1')).status).toBe(200); // places u1
    expect((await route(bed, '?uid=u1')).status).toBe(200); // caches the link
    const before = await redisCommands(bed);
    for (let i = 0; i < 20; i++) {
      const again = await route(bed, '?uid=u1');
      expect(again.headers.get('x-stateful-upstream')).toBe('10.0.0.1:7000');
    }
    expect((await redisCommands(bed)) - before).toBe(0);
  });
});
