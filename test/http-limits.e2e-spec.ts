import { connect } from 'net';
import { rawConnection } from './support/raw-http';
import { useService } from './support/service-testbed';

const TOKEN = 'limits-token-0123456789';
const LINK = '/v1/namespaces/prod/users/u1/links/game';

/** Headers of a PUT whose body is `length` bytes, with `sent` of them sent. */
function stalledPut(port: number, length: number, sent: number) {
  const connection = rawConnection(port);
  connection.write(
    `PUT ${LINK} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${length}\r\n\r\n` +
      '{"podId":1}'.padEnd(sent, ' ').slice(0, sent),
  );
  return connection;
}

/**
 * What slow or stalled bodies can hold (docs/reliability.md): at most MAX_BODIES_IN_FLIGHT bodies
 * arrive at once, each within BODY_TIMEOUT_MS, on at most MAX_CONNECTIONS connections, and none
 * is larger than BODY_LIMIT_BYTES, whose default follows MAX_BATCH.
 */
describe('HTTP limits on what clients can hold', () => {
  const svc = useService({
    API_TOKEN: TOKEN,
    REQUEST_TIMEOUT_MS: '10000',
    BODY_TIMEOUT_MS: '300',
    MAX_BODIES_IN_FLIGHT: '2',
    MAX_CONNECTIONS: '8',
    MAX_BATCH: '10',
  });

  it('a body that stops short gets 408 after BODY_TIMEOUT_MS, long before REQUEST_TIMEOUT_MS', async () => {
    const stalled = stalledPut(svc.port, 1_000, 20);
    const response = await stalled.response;
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body)).toMatchObject({
      message: 'the request body did not arrive in time (BODY_TIMEOUT_MS)',
    });
    await stalled.closed;
  });

  it('beyond MAX_BODIES_IN_FLIGHT a body is refused with 503 before it is read; bodiless requests go on', async () => {
    const first = stalledPut(svc.port, 1_000, 5);
    const second = stalledPut(svc.port, 1_000, 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = stalledPut(svc.port, 1_000, 5);
    const refused = await third.response;
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect((JSON.parse(refused.body) as { message: string }).message).toMatch(
      /MAX_BODIES_IN_FLIGHT/,
    );
    const read = await svc.request('GET', '/v1/namespaces/prod/users/u1/links', { token: TOKEN });
    expect(read.status).toBe(200);
    // Once the stalled ones time out, bodies are admitted again.
    await Promise.all([first.closed, second.closed]);
    const put = await svc.request('PUT', LINK, { token: TOKEN, body: { podId: 2 } });
    expect(put.status).toBe(200);
  });

  it('a client without the token takes no place among the bodies in flight', async () => {
    const anonymous = Array.from({ length: 3 }, () => {
      const connection = rawConnection(svc.port);
      connection.write(
        `PUT ${LINK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
      );
      return connection;
    });
    for (const connection of anonymous) expect((await connection.response).status).toBe(401);
    const put = await svc.request('PUT', LINK, { token: TOKEN, body: { podId: 3 } });
    expect(put.status).toBe(200);
  });

  it('beyond MAX_CONNECTIONS a new connection is closed at once', async () => {
    const idle = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(svc.port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = rawConnection(svc.port);
    extra.write(`GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n`);
    await extra.closed;
    await expect(extra.response).rejects.toThrow(/closed without a full response/);
    idle.forEach((socket) => socket.destroy());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await svc.request('GET', '/health/live')).status).toBe(200);
  });

  it('BODY_LIMIT_BYTES follows MAX_BATCH: 16 KB + 300 bytes per uid (here 19,384 bytes)', async () => {
    const uids = Array.from({ length: 10 }, (_, i) => `u${i}`.padEnd(256, 'x'));
    const fits = await svc.request('POST', '/v1/namespaces/prod/services/game/links/batch-get', {
      token: TOKEN,
      body: { uids },
    });
    expect(fits.status).toBe(200);
    const tooLarge = await svc.request('PUT', LINK, {
      token: TOKEN,
      raw: JSON.stringify({ podId: 1, pad: 'x'.repeat(20_000) }),
    });
    expect(tooLarge.status).toBe(413);
  });
});
