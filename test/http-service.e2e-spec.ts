import { Redis } from 'ioredis';
import { startService, useService, type ServiceTestbed } from './support/service-testbed';
import { waitUntil } from './support/wait-until';

const TOKEN = 'a-long-enough-api-token';

describe('API token', () => {
  const svc = useService({ API_TOKEN: TOKEN });

  it.each([
    ['no header', undefined],
    ['a wrong token', 'not-the-token-at-all'],
    ['a token prefix', TOKEN.slice(0, -1)],
    ['the token and more', `${TOKEN}x`],
    ['the token with its last character changed', `${TOKEN.slice(0, -1)}X`],
    ['a token longer than any allowed', TOKEN.repeat(20)],
  ])('refuses /v1 with %s (401)', async (_what, token) => {
    const response = await svc.request('GET', '/v1/namespaces/prod/users/u1/links', { token });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'missing or invalid bearer token',
    });
  });

  it.each([
    ['an encoded path', 'GET', '/v%31/namespaces/prod/users/u1/links'],
    ['an encoded prefix', 'GET', '/%76%31/namespaces/prod/services/game/pods'],
    ['an encoded write', 'PUT', '/v%31/namespaces/prod/users/victim/links/game'],
  ])('cannot be bypassed with %s', async (_what, method, path) => {
    const response = await svc.request(
      method,
      path,
      method === 'PUT' ? { body: { podId: 7 } } : {},
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await svc.server.command('EXISTS', 'sf:{prod:lk:victim}game')).toBe('0\n');
  });

  it('accepts the scheme name in any case', async () => {
    const response = await fetch(`${svc.baseUrl}/v1/namespaces/prod/users/u1/links`, {
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
  });

  it('accepts the right bearer token', async () => {
    const response = await svc.request('GET', '/v1/namespaces/prod/users/u1/links', {
      token: TOKEN,
    });
    expect(response).toMatchObject({ status: 200, body: { links: {} } });
  });

  it('keeps health, metrics and docs open', async () => {
    expect((await svc.request('GET', '/health/live')).status).toBe(200);
    expect((await svc.request('GET', '/health/ready')).status).toBe(200);
    expect((await svc.request('GET', '/metrics')).status).toBe(200);
    expect((await svc.request('GET', '/docs/json')).status).toBe(200);
  });
});

describe('health, metrics and errors', () => {
  const svc = useService();

  it('liveness never asks Redis; readiness turns 503 when Redis stops and 200 when it is back', async () => {
    expect(await svc.request('GET', '/health/ready')).toMatchObject({
      status: 200,
      body: { status: 'ok', info: { redis: { status: 'up' }, 'redis-scripts': { status: 'up' } } },
    });
    await svc.server.stop();
    try {
      expect(await svc.request('GET', '/health/live')).toMatchObject({
        status: 200,
        body: { status: 'ok' },
      });
      const ready = await svc.request('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
      // Open to anyone: the status only, never the Redis address or the error text (those are logged).
      expect((ready.body as { error: Record<string, unknown> }).error.redis).toEqual({
        status: 'down',
      });
      expect(JSON.stringify(ready.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|connect/);
      // A call while Redis is away: 503 in the error shape, without Redis details.
      const call = await svc.request('GET', '/v1/namespaces/prod/users/u1/links/game');
      expect(call).toMatchObject({
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable', message: 'Redis is unavailable' },
      });
    } finally {
      await svc.server.launch();
    }
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await svc.request('GET', '/health/ready')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });

  it('exports per-operation latency, errors by type, connection state and script reloads', async () => {
    await svc.request('PUT', '/v1/namespaces/prod/users/u1/links/game', { body: { podId: 1 } });
    // A refused `try` is an answer (409), not a failure of the operation.
    const refused = await svc.request('PUT', '/v1/namespaces/prod/users/u1/links/game', {
      body: { podId: 2, mode: 'try' },
    });
    expect(refused.status).toBe(409);
    await svc.request('GET', '/v1/namespaces/prod/users/nobody/links/game');
    await svc.request('PUT', '/v1/namespaces/prod/users/u1/links/game', { body: { podId: -1 } });
    await svc.server.command('SCRIPT', 'FLUSH');
    await svc.request('GET', '/health/ready');
    const metrics = (await svc.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(
      /stateful_operation_duration_seconds_count\{operation="setLinkedPod",outcome="ok"\} 2/,
    );
    expect(metrics).not.toMatch(/type="HTTP_409"/);
    expect(metrics).toMatch(
      /stateful_operation_errors_total\{operation="getLinkedPod",type="HTTP_404"\} 1/,
    );
    expect(metrics).toMatch(
      /stateful_operation_errors_total\{operation="setLinkedPod",type="VALIDATION_FAILED"\} 1/,
    );
    expect(metrics).toMatch(/stateful_redis_connections\{state="ready"\} 1/);
    expect(metrics).toMatch(/stateful_lua_script_reloads_total [1-9]\d*/);
    expect(metrics).toMatch(/process_cpu_seconds_total/);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    expect(await svc.request('GET', '/v1/nothing-here')).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: 'Not Found' },
    });
  });
});

describe('graceful shutdown', () => {
  let svc: ServiceTestbed;
  beforeAll(async () => {
    svc = await startService({ SHUTDOWN_DELAY_MS: '600' });
  }, 60_000);

  it('turns readiness 503, lets an in-flight request finish, then closes', async () => {
    // Hold Redis busy so that one request is in flight when the shutdown starts.
    const holder = new Redis(svc.server.url);
    await holder.ping();
    // A script that keeps Redis busy for 400 ms (DEBUG SLEEP is disabled by default in Redis 7).
    const blocker = holder.eval(
      "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] " +
        "repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] - s > 400000 return 1",
      0,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const inFlight = svc.request('GET', '/v1/namespaces/prod/users/u1/links');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = svc.app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // During the shutdown delay the server still answers, and readiness says 503.
    const ready = await svc.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      error: { lifecycle: { status: 'down', message: 'shutting down' } },
    });
    const answered = await inFlight;
    expect(answered).toMatchObject({ status: 200, body: { links: {} } });
    // It arrived before the shutdown and was answered during the delay: it carries the mark too.
    expect(answered.headers.get('connection')).toBe('close');
    await blocker;
    holder.disconnect();
    await closing;
    await expect(fetch(`${svc.baseUrl}/health/live`)).rejects.toThrow();
    await svc.server.destroy();
  });
});

describe('LINK_CACHE_MAX_ENTRIES', () => {
  const svc = useService({ LINK_CACHE_MAX_ENTRIES: '1000' });
  const path = '/v1/namespaces/cached/users/u1/links/game';

  it('answers a link from the cache, follows a change made by another client, and reports it in /metrics', async () => {
    const raw = new Redis(svc.server.url);
    try {
      await waitUntil(
        async () =>
          ((await svc.request('GET', '/metrics')).body as string).includes(
            'stateful_link_cache_tracking 1',
          ),
        'link cache tracking',
        10_000,
        20,
      );
      await raw.set('sf:{cached:lk:u1}game', '3');
      expect(await svc.request('GET', path)).toMatchObject({ status: 200, body: { podId: 3 } });
      expect(await svc.request('GET', path)).toMatchObject({ status: 200, body: { podId: 3 } });
      await raw.set('sf:{cached:lk:u1}game', '4');
      await waitUntil(
        async () => ((await svc.request('GET', path)).body as { podId: number }).podId === 4,
        'the change reaching the cache',
        1_000,
        5,
      );
      const metrics = (await svc.request('GET', '/metrics')).body as string;
      expect(metrics).toMatch(/^stateful_link_cache_hits_total [1-9]\d*$/m);
      expect(metrics).toMatch(/^stateful_link_cache_misses_total [1-9]\d*$/m);
      expect(metrics).toMatch(/^stateful_link_cache_invalidations_total [1-9]\d*$/m);
      expect(metrics).toMatch(/^stateful_link_cache_entries 1$/m);
      expect(metrics).toMatch(/^stateful_link_cache_flushes_total\{reason="redis_flush"\} 0$/m);
    } finally {
      raw.disconnect();
    }
  });
});
