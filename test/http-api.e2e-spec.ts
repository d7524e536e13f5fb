import { useService } from './support/service-testbed';

/** Every route of SPEC §5 over real HTTP against real Redis: status codes and body shapes. */
describe('HTTP API', () => {
  const svc = useService();
  const api = (method: string, path: string, body?: unknown) =>
    svc.request(method, `/v1/namespaces/prod${path}`, body === undefined ? {} : { body });
  beforeEach(() => svc.server.command('FLUSHALL'));

  describe('pods', () => {
    it('PUT and GET a pod state, list pods, delete a pod', async () => {
      expect(await api('PUT', '/services/game/pods/0/state', { state: 'Running' })).toMatchObject({
        status: 204,
      });
      await api('PUT', '/services/game/pods/3/state', { state: 'Draining' });
      expect(await api('GET', '/services/game/pods/3/state')).toMatchObject({
        status: 200,
        body: { podId: 3, state: 'Draining' },
      });
      expect(await api('GET', '/services/game/pods')).toMatchObject({
        status: 200,
        body: { pods: { '0': 'Running', '3': 'Draining' } },
      });
      expect(await api('DELETE', '/services/game/pods/3')).toMatchObject({
        status: 200,
        body: { removed: true },
      });
      expect(await api('DELETE', '/services/game/pods/3')).toMatchObject({
        status: 200,
        body: { removed: false },
      });
    });

    it('404 for a pod without state', async () => {
      expect(await api('GET', '/services/game/pods/9/state')).toMatchObject({
        status: 404,
        body: { statusCode: 404, error: 'Not Found' },
      });
    });

    it('PUT a load and GET fresh loads', async () => {
      expect(await api('PUT', '/services/game/pods/1/load', { load: 12 })).toMatchObject({
        status: 204,
      });
      const response = await api('GET', '/services/game/loads?maxAgeMs=30000');
      expect(response.status).toBe(200);
      const loads = (
        response.body as { loads: Record<string, { load: number; updatedAt: number }> }
      ).loads;
      expect(Object.keys(loads)).toEqual(['1']);
      expect(loads['1'].load).toBe(12);
      expect(Math.abs(loads['1'].updatedAt - Date.now())).toBeLessThan(60_000);
      expect(await api('GET', '/services/other/loads')).toMatchObject({
        status: 200,
        body: { loads: {} },
      });
    });
  });

  describe('workloads', () => {
    it('PUT and GET a workload state, 404 when none, batch by ?services', async () => {
      expect(await api('PUT', '/services/game/workload', { state: 'Available' })).toMatchObject({
        status: 204,
      });
      expect(await api('GET', '/services/game/workload')).toMatchObject({
        status: 200,
        body: { state: 'Available' },
      });
      expect(await api('GET', '/services/chat/workload')).toMatchObject({ status: 404 });
      expect(await api('GET', '/workloads?services=game,chat')).toMatchObject({
        status: 200,
        body: { workloads: { game: 'Available' } },
      });
      // Without `services` an empty answer would look like "no service has a state": a 400.
      expect(await api('GET', '/workloads')).toMatchObject({
        status: 400,
        body: { message: expect.stringContaining('Invalid services: is required') },
      });
    });
  });

  describe('links', () => {
    it('PUT mode set (default) returns the previous pod', async () => {
      expect(
        await api('PUT', '/users/u1/links/game', { podId: 3, persistSeconds: -1 }),
      ).toMatchObject({
        status: 200,
        body: { podId: 3, previousPodId: null },
      });
      expect(await api('PUT', '/users/u1/links/game', { podId: 4, mode: 'set' })).toMatchObject({
        status: 200,
        body: { podId: 4, previousPodId: 3 },
      });
    });

    it('PUT mode ifAbsent returns the pod linked now', async () => {
      await api('PUT', '/users/u1/links/game', { podId: 3 });
      expect(
        await api('PUT', '/users/u1/links/game', { podId: 5, mode: 'ifAbsent' }),
      ).toMatchObject({
        status: 200,
        body: { podId: 3 },
      });
    });

    it('PUT mode try: 200 when linked, 409 with the holder otherwise', async () => {
      expect(await api('PUT', '/users/u1/links/game', { podId: 3, mode: 'try' })).toMatchObject({
        status: 200,
        body: { success: true, podId: 3 },
      });
      expect(await api('PUT', '/users/u1/links/game', { podId: 5, mode: 'try' })).toMatchObject({
        status: 409,
        body: { success: false, podId: 3 },
      });
    });

    it('GET a link (and persistentOnly), 404 without one', async () => {
      await api('PUT', '/users/u1/links/game', { podId: 3, persistSeconds: 300 });
      expect(await api('GET', '/users/u1/links/game')).toMatchObject({
        status: 200,
        body: { podId: 3 },
      });
      expect(await api('GET', '/users/u1/links/game?persistentOnly=true')).toMatchObject({
        status: 404,
      });
      expect(await api('GET', '/users/nobody/links/game')).toMatchObject({ status: 404 });
    });

    it('DELETE at once, with a grace period, and compare-and-remove', async () => {
      await api('PUT', '/users/u1/links/game', { podId: 3 });
      expect(await api('DELETE', '/users/u1/links/game?podId=4')).toMatchObject({
        body: { removed: false },
      });
      expect(await api('DELETE', '/users/u1/links/game?persistSeconds=300&podId=3')).toMatchObject({
        status: 200,
        body: { removed: true },
      });
      expect(Number(await svc.server.command('TTL', 'sf:{prod:lk:u1}game'))).toBeGreaterThan(290);
      expect(await api('DELETE', '/users/u1/links/game')).toMatchObject({
        status: 200,
        body: { removed: true },
      });
      expect(await api('DELETE', '/users/u1/links/game')).toMatchObject({
        status: 200,
        body: { removed: false },
      });
    });

    it("GET a user's links", async () => {
      await api('PUT', '/users/u1/links/game', { podId: 3 });
      await api('PUT', '/users/u1/links/chat', { podId: 1 });
      expect(await api('GET', '/users/u1/links')).toMatchObject({
        status: 200,
        body: { links: { game: 3, chat: 1 } },
      });
    });

    it('POST batch-get groups uids by pod', async () => {
      await api('PUT', '/users/u1/links/game', { podId: 3 });
      await api('PUT', '/users/u2/links/game', { podId: 3 });
      await api('PUT', '/users/u3/links/game', { podId: 1 });
      expect(
        await api('POST', '/services/game/links/batch-get', { uids: ['u1', 'u2', 'u3', 'u4'] }),
      ).toMatchObject({
        status: 200,
        body: { pods: { '3': ['u1', 'u2'], '1': ['u3'] } },
      });
    });

    it('POST compute links the least-loaded pod, keeps it, and 503s with no pod', async () => {
      await api('PUT', '/services/game/pods/0/load', { load: 50 });
      await api('PUT', '/services/game/pods/1/load', { load: 5 });
      expect(
        await api('POST', '/users/u1/links/game/compute', { persistSeconds: -1, maxLoad: 100 }),
      ).toMatchObject({
        status: 200,
        body: { podId: 1, created: true },
      });
      expect(await api('POST', '/users/u1/links/game/compute', {})).toMatchObject({
        status: 200,
        body: { podId: 1, created: false },
      });
      expect(
        await api('POST', '/users/u2/links/game/compute', { maxLoad: 5, excludePods: [] }),
      ).toMatchObject({
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable' },
      });
      expect(await api('POST', '/users/u3/links/chat/compute')).toMatchObject({ status: 503 });
    });

    it('answers the link epoch, and checks owners at an epoch (SPEC §10)', async () => {
      await api('PUT', '/services/game/pods/2/load', { load: 1 });
      const computed = await api('POST', '/users/e1/links/game/compute', {});
      const { epoch } = computed.body as { epoch: number };
      expect(Number.isSafeInteger(epoch) && epoch > 0).toBe(true);
      expect(await api('GET', '/users/e1/links/game')).toMatchObject({
        status: 200,
        body: { podId: 2, epoch, persistent: true },
      });
      const owner = (podId: number, at: number | string) =>
        api('GET', `/users/e1/links/game/owner?podId=${podId}&epoch=${at}`);
      expect(await owner(2, epoch)).toMatchObject({ status: 200, body: { owner: true } });
      expect(await owner(2, epoch - 1)).toMatchObject({ status: 200, body: { owner: false } });
      expect(await owner(1, epoch)).toMatchObject({ status: 200, body: { owner: false } });
      for (const bad of ['0', '-1', '1.5', 'x', '9007199254740992']) {
        expect(await owner(2, bad), bad).toMatchObject({
          status: 400,
          body: { message: expect.stringContaining('epoch') },
        });
      }
      expect(await api('GET', '/users/e1/links/game/owner?podId=2')).toMatchObject({ status: 400 });
      // A temporary link: 404 when only a persistent one is asked for.
      await api('DELETE', '/users/e1/links/game?persistSeconds=60');
      expect(await api('GET', '/users/e1/links/game')).toMatchObject({
        status: 200,
        body: { podId: 2, epoch, persistent: false },
      });
      expect(await api('GET', '/users/e1/links/game?persistentOnly=true')).toMatchObject({
        status: 404,
      });
    });

    it('takes names and uids at their longest (128 and 256 characters, multi-byte)', async () => {
      const ns = 'n'.repeat(128);
      const svcName = 's'.repeat(128);
      const uid = '😀'.repeat(256);
      const path = `/v1/namespaces/${ns}/users/${encodeURIComponent(uid)}/links/${svcName}`;
      expect(await svc.request('PUT', path, { body: { podId: 4 } })).toMatchObject({ status: 200 });
      expect(await svc.request('GET', path)).toMatchObject({ status: 200, body: { podId: 4 } });
    });

    it('a bad percent-escape is a 400 in the error shape', async () => {
      const response = await svc.request('GET', '/v1/namespaces/prod/users/%E0%A4%A/links/game');
      expect(response.status).toBe(400);
      expect(Object.keys(response.body as object).sort()).toEqual([
        'error',
        'message',
        'statusCode',
      ]);
    });

    // The link routes are plain Fastify handlers (fastify-link-routes.ts): what Nest's router did
    // for them, they must still do.
    it.each([
      ['PUT', '/v1/namespaces//users/u1/links/game'],
      ['PUT', '/v1/namespaces/prod/users//links/game'],
      ['GET', '/v1/namespaces/prod/users//links/game'],
      ['DELETE', '/v1/namespaces//users/u1/links/game'],
      ['POST', '/v1/namespaces/prod/users//links/game/compute'],
    ])(
      '%s %s (an empty path parameter) is not the route: 404, Redis untouched',
      async (method, path) => {
        const response = await svc.request(
          method,
          path,
          method === 'GET' || method === 'DELETE' ? {} : { body: { podId: 1 } },
        );
        expect(response).toMatchObject({
          status: 404,
          body: { statusCode: 404, error: 'Not Found', message: `Cannot ${method} ${path}` },
        });
        expect(await svc.server.command('DBSIZE')).toBe('0\n');
      },
    );

    it('HEAD of a link answers as GET does, without the body', async () => {
      await api('PUT', '/users/u1/links/game', { podId: 3 });
      const found = await svc.request('HEAD', '/v1/namespaces/prod/users/u1/links/game');
      expect(found.status).toBe(200);
      expect(found.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(found.body).toBeUndefined();
      expect((await svc.request('HEAD', '/v1/namespaces/prod/users/u2/links/game')).status).toBe(
        404,
      );
    });

    it('answers a JSON body with its content type, and a refused try in the same shape', async () => {
      const linked = await api('PUT', '/users/u1/links/game', { podId: 3 });
      expect(linked.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const refused = await api('PUT', '/users/u1/links/game', { podId: 5, mode: 'try' });
      expect(refused).toMatchObject({ status: 409, body: { success: false, podId: 3 } });
      expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    });

    it('takes uids with URL-encoded characters', async () => {
      const uid = 'user: José/1';
      const path = `/users/${encodeURIComponent(uid)}/links/game`;
      expect(await api('PUT', path, { podId: 2 })).toMatchObject({ status: 200 });
      expect(await svc.server.command('GET', `sf:{prod:lk:${uid}}game`)).toBe('2\n');
      expect(await api('GET', path)).toMatchObject({ status: 200, body: { podId: 2 } });
    });
  });

  describe('400 for bad input, naming the field, Redis untouched', () => {
    it.each([
      ['PUT', '/services/game/pods/abc/state', { state: 'Running' }, 'podId'],
      ['PUT', '/services/game/pods/-1/state', { state: 'Running' }, 'podId'],
      ['PUT', '/services/ga:me/pods/1/state', { state: 'Running' }, 'serviceName'],
      ['PUT', '/services/game/pods/1/state', {}, 'state'],
      ['PUT', '/services/game/pods/1/state', { state: 'a\nb' }, 'state'],
      ['PUT', '/services/game/pods/1/load', { load: -3 }, 'load'],
      ['PUT', '/services/game/pods/1/load', { load: '3' }, 'load'],
      ['GET', '/services/game/loads?maxAgeMs=soon', undefined, 'maxAgeMs'],
      ['PUT', '/services/game/workload', { state: '' }, 'state'],
      ['GET', '/workloads?services=a,b:c', undefined, 'services[1]'],
      ['PUT', '/users/u1/links/game', { persistSeconds: -1 }, 'podId'],
      ['PUT', '/users/u1/links/game', { podId: 1, persistSeconds: 0 }, 'persistSeconds'],
      ['PUT', '/users/u1/links/game', { podId: 1, mode: 'maybe' }, 'mode'],
      ['PUT', '/users/u%7B1%7D/links/game', { podId: 1 }, 'uid'],
      ['POST', '/users/u1/links/game/compute', { maxLoad: 'high' }, 'maxLoad'],
      ['POST', '/users/u1/links/game/compute', { persistSeconds: null }, 'persistSeconds'],
      ['PUT', '/users/u1/links/game', { podId: 1, persistSeconds: null }, 'persistSeconds'],
      ['POST', '/users/u1/links/game/compute', { excludePods: [1.5] }, 'excludePods[0]'],
      ['GET', '/users/u1/links/game?persistentOnly=yes', undefined, 'persistentOnly'],
      ['DELETE', '/users/u1/links/game?persistSeconds=x', undefined, 'persistSeconds'],
      ['DELETE', '/users/u1/links/game?podId=1e3', undefined, 'podId'],
      ['POST', '/services/game/links/batch-get', { uids: 'u1' }, 'uids'],
      ['POST', '/services/game/links/batch-get', [], 'body'],
    ])('%s %s %j -> 400 naming %s', async (method, path, body, field) => {
      const response = await api(method, path, body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect((response.body as { message: string }).message).toContain(field);
      expect(Object.keys(response.body as object).sort()).toEqual([
        'error',
        'message',
        'statusCode',
      ]);
      expect(await svc.server.command('DBSIZE')).toBe('0\n');
    });

    it('malformed JSON is a 400 in the same shape', async () => {
      const response = await svc.request('PUT', '/v1/namespaces/prod/services/game/workload', {
        raw: '{"state":',
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('a body over the size limit is refused with 413', async () => {
      const uids = Array.from({ length: 120_000 }, (_, i) => `user-number-${i}`);
      const response = await api('POST', '/services/game/links/batch-get', { uids });
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    });
  });

  it('serves the OpenAPI document and its UI', async () => {
    const json = await svc.request('GET', '/docs/json');
    expect(json.status).toBe(200);
    const paths = Object.keys((json.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/v1/namespaces/{ns}/users/{uid}/links/{svc}', '/health/ready']),
    );
    expect((await svc.request('GET', '/docs')).status).toBe(200);
    // Optional query parameters are documented as optional, so generated clients can omit them.
    type Parameter = { name: string; in: string; required?: boolean };
    const document = json.body as {
      paths: Record<string, Record<string, { parameters: Parameter[] }>>;
    };
    const remove = document.paths['/v1/namespaces/{ns}/users/{uid}/links/{svc}'].delete.parameters;
    const query = remove.filter((p) => p.in === 'query').map((p) => [p.name, p.required]);
    expect(query.sort()).toEqual([
      ['persistSeconds', false],
      ['podId', false],
    ]);
  });
});
