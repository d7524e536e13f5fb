import { Agent, request as httpRequest } from 'http';
import { rawConnection } from './support/raw-http';
import { startService, useService, type ServiceTestbed } from './support/service-testbed';

const TOKEN = 'edge-test-token-0123456789';
const AUTH = `Authorization: Bearer ${TOKEN}\r\n`;
const LINK = '/v1/namespaces/prod/users/u1/links/game';
const LINK_KEY = 'sf:{prod:lk:u1}game';

/** SPEC §5 "Hardening": what the service refuses at its HTTP edge, over real HTTP and raw sockets. */
describe('HTTP edge', () => {
  const svc = useService({ API_TOKEN: TOKEN, REQUEST_TIMEOUT_MS: '600', MAX_BATCH: '5' });
  const call = (
    method: string,
    path: string,
    options: Parameters<ServiceTestbed['request']>[2] = {},
  ) => svc.request(method, path, { token: TOKEN, ...options });
  const stored = async () => (await svc.server.command('KEYS', '*')).trim();

  afterEach(() => svc.server.command('FLUSHALL'));

  describe('the token is checked when the request arrives, before its body is read', () => {
    it('headers announcing 1 MiB without a token get 401 at once, and the connection is closed', async () => {
      const client = rawConnection(svc.port);
      client.write(
        `PUT ${LINK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n`,
      );
      const response = await client.response;
      expect(response.status).toBe(401);
      expect(response.headers.connection).toBe('close');
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(response.body)).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'missing or invalid bearer token',
      });
      await client.closed;
    });

    it('an unauthenticated upload does not slow down other clients (the body is never buffered)', async () => {
      const uploads = Array.from({ length: 4 }, () => {
        const client = rawConnection(svc.port);
        client.write(
          `PUT ${LINK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n`,
        );
        client.socket.write(Buffer.alloc(256 * 1024, 0x20));
        return client;
      });
      expect((await call('GET', LINK)).status).toBe(404);
      for (const upload of uploads) expect((await upload.response).status).toBe(401);
    });
  });

  describe('REQUEST_TIMEOUT_MS bounds how long a request may take to arrive', () => {
    it('a stalled body is answered 408 in the error shape and the connection closed', async () => {
      const client = rawConnection(svc.port);
      client.write(
        `PUT ${LINK} HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{"podId":`,
      );
      const response = await client.response;
      expect(response.status).toBe(408);
      expect(JSON.parse(response.body)).toMatchObject({
        statusCode: 408,
        error: 'Request Timeout',
      });
      expect(response.afterMs).toBeGreaterThanOrEqual(550);
      await client.closed;
      expect(await stored()).toBe('');
    });

    it('a body trickling in byte by byte is cut the same way', async () => {
      const client = rawConnection(svc.port);
      client.write(
        `PUT ${LINK} HTTP/1.1\r\nHost: x\r\n${AUTH}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
      );
      const trickle = setInterval(() => client.socket.writable && client.socket.write(' '), 50);
      try {
        expect((await client.response).status).toBe(408);
        await client.closed;
      } finally {
        clearInterval(trickle);
      }
    });
  });

  describe('bodies are application/json in UTF-8, and nothing else', () => {
    it.each([
      [
        'a form (a cross-site HTML form could send it)',
        'application/x-www-form-urlencoded',
        'podId=3',
      ],
      ['text/plain', 'text/plain', '{"podId":3}'],
      ['JSON in another charset', 'application/json; charset=latin1', '{"podId":3}'],
      ['multipart', 'multipart/form-data; boundary=x', '--x\r\n\r\n3\r\n--x--'],
    ])('%s is refused with 415 and stores nothing', async (_what, contentType, raw) => {
      const response = await call('PUT', LINK, { raw, contentType });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
      // The message says what to send (the charset case says which charset).
      expect((response.body as { message: string }).message).toMatch(/application\/json|UTF-8/);
      const state = await call('PUT', '/v1/namespaces/prod/services/game/pods/1/state', {
        raw: 'state=Hacked',
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(state.status).toBe(415);
      expect(await stored()).toBe('');
    });

    it('a key given twice is refused naming it: a try never turns into a set', async () => {
      await call('PUT', LINK, { raw: '{"podId":1}', contentType: 'application/json' });
      const response = await call('PUT', LINK, {
        raw: '{"podId":3,"mode":"try","mode":"set"}',
        contentType: 'application/json',
      });
      expect(response.status).toBe(400);
      expect((response.body as { message: string }).message).toBe(
        'Invalid mode: is given twice in the body',
      );
      expect((await svc.server.command('GET', LINK_KEY)).trim()).toBe('1');
    });

    it('application/json with charset=utf-8 is accepted', async () => {
      const response = await call('PUT', LINK, {
        raw: '{"podId":3}',
        contentType: 'application/json; charset=utf-8',
      });
      expect(response.status).toBe(200);
    });

    it('invalid UTF-8 is a 400, never stored as U+FFFD', async () => {
      const raw = Buffer.concat([
        Buffer.from('{"state":"a'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      const response = await call('PUT', '/v1/namespaces/prod/services/game/pods/1/state', { raw });
      expect(response).toMatchObject({
        status: 400,
        body: { message: 'Invalid body: must be valid UTF-8' },
      });
      expect(await stored()).toBe('');
    });
  });

  describe('unknown fields and parameters are refused, so a typo never widens an operation', () => {
    it('{"podId":3,"persistSecond":60} is a 400 naming persistSecond, and creates no link', async () => {
      const response = await call('PUT', LINK, { body: { podId: 3, persistSecond: 60 } });
      expect(response).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^Invalid persistSecond: is not a field/) },
      });
      expect(await stored()).toBe('');
    });

    it.each([
      ['?podid=7 (a typo)', '?podid=7', /^Invalid podid: is not a query parameter/],
      ['?podId= (empty)', '?podId=', /^Invalid podId: must not be empty/],
      ['?podId=-0', '?podId=-0', /^Invalid podId: must be an integer/],
      ['?podId=7&podId=3', '?podId=7&podId=3', /^Invalid podId: must be given once/],
    ])(
      'DELETE with %s is a 400 and the link held by pod 3 stays',
      async (_what, query, message) => {
        expect((await call('PUT', LINK, { body: { podId: 3 } })).status).toBe(200);
        const response = await call('DELETE', `${LINK}${query}`);
        expect(response).toMatchObject({
          status: 400,
          body: { message: expect.stringMatching(message) },
        });
        expect(await svc.server.command('GET', LINK_KEY)).toBe('3\n');
      },
    );

    it('an unknown query parameter on a route without any is refused too', async () => {
      const response = await call('GET', '/v1/namespaces/prod/users/u1/links?all=true');
      expect(response.status).toBe(400);
    });
  });

  describe('-0 is not 0', () => {
    it.each([
      ['in a path', 'PUT', '/v1/namespaces/prod/services/game/pods/-0/state', '{"state":"Ready"}'],
      ['in a body', 'PUT', LINK, '{"podId":-0}'],
      ['in a body list', 'POST', `${LINK}/compute`, '{"excludePods":[-0]}'],
      ['as a load', 'PUT', '/v1/namespaces/prod/services/game/pods/1/load', '{"load":-0}'],
    ])('%s is a 400', async (_what, method, path, raw) => {
      const response = await call(method, path, { raw });
      expect(response.status).toBe(400);
      expect(await stored()).toBe('');
    });
  });

  describe('MAX_BATCH bounds batch reads', () => {
    it('batch-get with more uids is a 400 naming uids; at the limit it is served', async () => {
      const uids = ['a', 'b', 'c', 'd', 'e'];
      expect(
        (
          await call('POST', '/v1/namespaces/prod/services/game/links/batch-get', {
            body: { uids },
          })
        ).status,
      ).toBe(200);
      const response = await call('POST', '/v1/namespaces/prod/services/game/links/batch-get', {
        body: { uids: [...uids, 'f'] },
      });
      expect(response).toMatchObject({
        status: 400,
        body: { message: 'Invalid uids: must list at most 5' },
      });
    });

    it('workloads with more services is a 400 naming services', async () => {
      const response = await call('GET', '/v1/namespaces/prod/workloads?services=a,b,c,d,e,f');
      expect(response).toMatchObject({
        status: 400,
        body: { message: 'Invalid services: must list at most 5' },
      });
      expect((await call('GET', '/v1/namespaces/prod/workloads?services=a,b,c,d,e')).status).toBe(
        200,
      );
    });
  });
});

/** Sends a PUT whose body never ends, then closes the app: the close cuts it instead of waiting. */
async function expectCloseCutsStalledBody(
  svc: Awaited<ReturnType<typeof startService>>,
  client: ReturnType<typeof rawConnection>,
): Promise<void> {
  client.write(
    `PUT ${LINK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"podId":`,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await svc.app.close();
  expect(Date.now() - started).toBeLessThan(5_000);
  await client.closed;
  await svc.server.destroy();
}

describe('graceful shutdown at the connection level', () => {
  it('keep-alive clients are told Connection: close during the delay and move on before the listener closes: no reset, no bare 503', async () => {
    const svc = await startService({ SHUTDOWN_DELAY_MS: '800' });
    let shuttingDown = false;
    /** One keep-alive client: requests on its connection until told to close it during shutdown (in Kubernetes it then reaches another replica). */
    const client = async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const seen: { status?: number; connection?: string; error?: string; during: boolean }[] = [];
      for (;;) {
        // "During" is when the answer arrived: a request sent just before the shutdown and answered
        // during the delay rightly says Connection: close too.
        const outcome = await new Promise<(typeof seen)[number]>((resolve) => {
          const req = httpRequest(
            {
              port: svc.port,
              host: '127.0.0.1',
              path: '/v1/namespaces/prod/users/u1/links',
              agent,
            },
            (res) => {
              res.resume();
              res.once('end', () =>
                resolve({
                  status: res.statusCode,
                  connection: res.headers.connection,
                  during: shuttingDown,
                }),
              );
            },
          );
          req.once('error', (error: NodeJS.ErrnoException) =>
            resolve({ error: error.code ?? error.message, during: shuttingDown }),
          );
          req.end();
        });
        seen.push(outcome);
        if (outcome.error !== undefined || (outcome.during && outcome.connection === 'close'))
          break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      agent.destroy();
      return seen;
    };
    const clients = Array.from({ length: 4 }, client);
    await new Promise((resolve) => setTimeout(resolve, 200));
    shuttingDown = true;
    const closing = svc.app.close();
    const outcomes = (await Promise.all(clients)).flat();
    await closing;
    await svc.server.destroy();
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(outcomes.every((outcome) => outcome.status === 200)).toBe(true);
    const before = outcomes.filter((outcome) => !outcome.during);
    expect(before.length).toBeGreaterThan(4);
    expect(before.every((outcome) => outcome.connection === 'keep-alive')).toBe(true);
    expect(
      outcomes.filter((outcome) => outcome.during && outcome.connection === 'close'),
    ).toHaveLength(4);
  });

  it('a stalled body does not hold the shutdown for REQUEST_TIMEOUT_MS', async () => {
    const svc = await startService({ REQUEST_TIMEOUT_MS: '30000' });
    const client = rawConnection(svc.port);
    await expectCloseCutsStalledBody(svc, client);
  });

  it('a stalled body after answered requests on the same keep-alive connection is cut too', async () => {
    const svc = await startService({ REQUEST_TIMEOUT_MS: '30000' });
    const client = rawConnection(svc.port);
    client.write(`GET ${LINK} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect((await client.response).status).toBe(404);
    await expectCloseCutsStalledBody(svc, client);
  });
});
