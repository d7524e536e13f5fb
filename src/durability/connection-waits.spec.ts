import { ConnectionWaits } from './connection-waits';

/** A connection whose WAITs the test answers by hand, one at a time, in order. */
function connection() {
  const sent: { resolve(answer: string): void; reject(error: unknown): void }[] = [];
  return {
    sent,
    waits: new ConnectionWaits<string>(
      () => new Promise((resolve, reject) => sent.push({ resolve, reject })),
    ),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ConnectionWaits (group commit of WAIT on one connection)', () => {
  it('writes of the same turn share one WAIT', async () => {
    const { sent, waits } = connection();
    const answers = [waits.afterWrite(), waits.afterWrite(), waits.afterWrite()];
    await settle();
    expect(sent).toHaveLength(1);
    sent[0].resolve('first');
    await expect(Promise.all(answers)).resolves.toEqual(['first', 'first', 'first']);
  });

  it('one WAIT in flight: writes sent meanwhile share the next, sent when it answers', async () => {
    const { sent, waits } = connection();
    const first = waits.afterWrite();
    await settle();
    const later = [waits.afterWrite(), waits.afterWrite()];
    await settle();
    expect(sent).toHaveLength(1);
    sent[0].resolve('first');
    await expect(first).resolves.toBe('first');
    await settle();
    expect(sent).toHaveLength(2);
    sent[1].resolve('second');
    await expect(Promise.all(later)).resolves.toEqual(['second', 'second']);
  });

  it('a failed WAIT fails its own writes only', async () => {
    const { sent, waits } = connection();
    const failed = waits.afterWrite();
    await settle();
    const next = waits.afterWrite();
    sent[0].reject(new Error('Connection is closed.'));
    await expect(failed).rejects.toThrow('Connection is closed.');
    await settle();
    sent[1].resolve('second');
    await expect(next).resolves.toBe('second');
  });

  it('sends nothing when no write waits', async () => {
    const { sent, waits } = connection();
    await settle();
    expect(sent).toHaveLength(0);
    const answer = waits.afterWrite();
    await settle();
    sent[0].resolve('only');
    await answer;
    await settle();
    expect(sent).toHaveLength(1);
  });
});
