import { ConnectionWaits } from './connection-waits';

/** A connection whose WAITs the test answers by hand, one at a time, in order. */
function connection() {
  const sent: { resolve(reply: unknown): void; reject(error: unknown): void }[] = [];
  let socket = 'socket-1';
  return {
    sent,
    reconnect: () => (socket = 'socket-2'),
    waits: new ConnectionWaits({
      sendWait: () => new Promise((resolve, reject) => sent.push({ resolve, reject })),
      socket: () => socket,
    }),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConnectionWaits (group commit of WAIT on one connection)', () => {
  it('writes of the same turn share one WAIT', async () => {
    const { sent, waits } = connection();
    const answers = [waits.afterWrite(), waits.afterWrite(), waits.afterWrite()];
    await settle();
    expect(sent).toHaveLength(1);
    sent[0].resolve(1);
    await expect(Promise.all(answers)).resolves.toEqual([
      { replicas: 1, socket: 'socket-1' },
      { replicas: 1, socket: 'socket-1' },
      { replicas: 1, socket: 'socket-1' },
    ]);
  });

  it('one WAIT in flight: writes sent meanwhile share the next, sent when it answers', async () => {
    const { sent, waits } = connection();
    const first = waits.afterWrite();
    await settle();
    const later = [waits.afterWrite(), waits.afterWrite()];
    await settle();
    expect(sent).toHaveLength(1);
    sent[0].resolve(0);
    await expect(first).resolves.toEqual({ replicas: 0, socket: 'socket-1' });
    await settle();
    expect(sent).toHaveLength(2);
    sent[1].resolve(2);
    await expect(Promise.all(later)).resolves.toEqual([
      { replicas: 2, socket: 'socket-1' },
      { replicas: 2, socket: 'socket-1' },
    ]);
  });

  it('a failed WAIT fails its writes only; the socket is read when WAIT answers', async () => {
    const { sent, waits, reconnect } = connection();
    const failed = waits.afterWrite();
    await settle();
    const next = waits.afterWrite();
    sent[0].reject(new Error('Connection is closed.'));
    await expect(failed).rejects.toThrow('Connection is closed.');
    reconnect();
    await settle();
    sent[1].resolve(1);
    await expect(next).resolves.toEqual({ replicas: 1, socket: 'socket-2' });
  });

  it('sends nothing when no write waits', async () => {
    const { sent, waits } = connection();
    await settle();
    expect(sent).toHaveLength(0);
    const answer = waits.afterWrite();
    await settle();
    sent[0].resolve(1);
    await answer;
    await settle();
    expect(sent).toHaveLength(1);
  });
});
