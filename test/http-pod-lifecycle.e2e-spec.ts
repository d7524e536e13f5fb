import { useService } from './support/service-testbed';

const POD = '/v1/namespaces/prod/services/game/pods';
const ARENA = '/v1/namespaces/prod/services/arena/pods';

/** The SPEC §6 routes over real HTTP: heartbeat, healing through compute, reverse lookup, release. */
describe('pod lifecycle over HTTP', () => {
  const svc = useService();
  afterEach(() => svc.server.command('FLUSHALL'));

  it('PUT status takes everyMs; compute takes missedBeats and loadPerUser, and refuses bad ones naming them', async () => {
    // A service of its own: the service's pod table outlives the FLUSHALL between tests.
    expect(
      (await svc.request('PUT', `${ARENA}/0/status`, { body: { load: 0, everyMs: 1000 } })).status,
    ).toBe(204);
    expect((await svc.request('PUT', `${ARENA}/1/status`, { body: { load: 1 } })).status).toBe(204);
    const compute = (uid: string, body: object) =>
      svc.request('POST', `/v1/namespaces/prod/users/${uid}/links/arena/compute`, { body });
    // loadPerUser 2: after one user, pod 0 counts 0 + 2 and pod 1 (load 1) takes the next.
    expect(await compute('a', { loadPerUser: 2, missedBeats: 5 })).toMatchObject({
      status: 200,
      body: { podId: 0, created: true },
    });
    expect(await compute('b', { loadPerUser: 2, missedBeats: 5 })).toMatchObject({
      status: 200,
      body: { podId: 1, created: true },
    });
    for (const [body, field] of [
      [{ loadPerUser: -1 }, 'loadPerUser'],
      [{ missedBeats: 0 }, 'missedBeats'],
    ] as const) {
      const refused = await compute('c', body);
      expect(refused.status).toBe(400);
      expect((refused.body as { message: string }).message).toMatch(
        new RegExp(`^Invalid ${field}: `),
      );
    }
    const badPeriod = await svc.request('PUT', `${ARENA}/0/status`, {
      body: { load: 0, everyMs: 5 },
    });
    expect(badPeriod.status).toBe(400);
    expect((badPeriod.body as { message: string }).message).toMatch(/^Invalid everyMs: /);
  });

  it('PUT status stores load and state; compute heals a user of a Shutdown pod and says from where', async () => {
    expect(
      (await svc.request('PUT', `${POD}/1/status`, { body: { load: 5, state: 'Ready' } })).status,
    ).toBe(204);
    expect((await svc.request('PUT', `${POD}/2/status`, { body: { load: 3 } })).status).toBe(204);
    expect(await svc.request('GET', `${POD}/1/state`)).toMatchObject({
      status: 200,
      body: { state: 'Ready' },
    });
    await svc.request('PUT', '/v1/namespaces/prod/users/u1/links/game', { body: { podId: 1 } });
    await svc.request('PUT', `${POD}/1/status`, { body: { load: 5, state: 'Shutdown' } });
    const heal = await svc.request('POST', '/v1/namespaces/prod/users/u1/links/game/compute', {
      body: { goneAfterMs: 60000, loadTolerance: 0 },
    });
    expect(heal).toMatchObject({ status: 200, body: { podId: 2, created: false, movedFrom: 1 } });
    const kept = await svc.request('POST', '/v1/namespaces/prod/users/u2/links/game/compute', {
      body: { heal: false },
    });
    expect(kept).toMatchObject({ status: 200, body: { podId: 2, created: true } });
  });

  it("GET users pages through the pod's users; POST release frees them", async () => {
    for (let i = 0; i < 25; i++) {
      await svc.request('PUT', `/v1/namespaces/prod/users/u${i}/links/game`, {
        body: { podId: i % 2 },
      });
    }
    const found: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const query = cursor ? `?count=5&cursor=${encodeURIComponent(cursor)}` : '?count=5';
      const page = await svc.request('GET', `${POD}/1/users${query}`);
      expect(page.status).toBe(200);
      const body = page.body as { uids: string[]; cursor: string | null };
      found.push(...body.uids);
      cursor = body.cursor;
      pages++;
    } while (cursor !== null && pages < 100);
    expect(found.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `u${2 * i + 1}`).sort());
    expect(await svc.request('POST', `${POD}/1/release`)).toMatchObject({
      status: 200,
      body: { released: 12 },
    });
    expect(await svc.request('GET', `${POD}/1/users`)).toMatchObject({
      status: 200,
      body: { uids: [], cursor: null },
    });
    // A cursor Redis would refuse (beyond 64 bits) is bad input: a 400, never a 500.
    for (const cursor of ['0-18446744073709551616', '0-99999999999999999999']) {
      expect(await svc.request('GET', `${POD}/1/users?cursor=${cursor}`)).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^Invalid cursor/) },
      });
    }
    expect(await svc.request('GET', '/v1/namespaces/prod/users/u0/links/game')).toMatchObject({
      body: { podId: 0 },
    });
  });

  it.each([
    ['PUT', `${POD}/1/status`, { load: -1 }, /^Invalid load/],
    ['PUT', `${POD}/1/status`, { state: 'Ready' }, /^Invalid load: is required/],
    ['PUT', `${POD}/1/status`, { load: 1, state: '' }, /^Invalid state/],
    ['PUT', `${POD}/1/status`, { load: 1, sate: 'Ready' }, /^Invalid sate: is not a field/],
    ['PUT', `${POD}/x/status`, { load: 1 }, /^Invalid podId/],
    ['POST', `${POD}/1/release`, { persistSeconds: 0 }, /^Invalid persistSeconds/],
    ['POST', `${POD}/1/release`, { persist: 5 }, /^Invalid persist: is not a field/],
    ['POST', '/v1/namespaces/prod/users/u1/links/game/compute', { heal: 'no' }, /^Invalid heal/],
    [
      'POST',
      '/v1/namespaces/prod/users/u1/links/game/compute',
      { excludePods: Array.from({ length: 1_001 }, (_, i) => i) },
      /^Invalid excludePods: must list at most 1000 pods \(MAX_BATCH\)/,
    ],
    [
      'POST',
      '/v1/namespaces/prod/users/u1/links/game/compute',
      { goneAfterMs: -1 },
      /^Invalid goneAfterMs/,
    ],
    [
      'POST',
      '/v1/namespaces/prod/users/u1/links/game/compute',
      { loadTolerance: -2 },
      /^Invalid loadTolerance/,
    ],
  ])('%s %s %j is a 400 naming the field, nothing stored', async (method, path, body, message) => {
    const response = await svc.request(method, path, { body });
    expect(response).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(message) },
    });
    expect((await svc.server.command('DBSIZE')).trim()).toBe('0');
  });

  it('a malformed load entry is left out of GET loads and counted in the metrics', async () => {
    await svc.request('PUT', `${POD}/1/load`, { body: { load: 2 } });
    await svc.server.command('HSET', 'sf:{prod:state:game}:load', '2', 'garbage');
    const loads = await svc.request('GET', '/v1/namespaces/prod/services/game/loads');
    expect(Object.keys((loads.body as { loads: object }).loads)).toEqual(['1']);
    const metrics = (await svc.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/stateful_malformed_entries_total\{key_kind="load"\} 1/);
  });

  it.each([
    ['?cursor=forged', /^Invalid cursor/],
    ['?count=0', /^Invalid count/],
    ['?count=', /^Invalid count: must not be empty/],
    ['?page=2', /^Invalid page: is not a query parameter/],
  ])('GET users%s is a 400', async (query, message) => {
    const response = await svc.request('GET', `${POD}/1/users${query}`);
    expect(response).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(message) },
    });
  });
});
