import { Writable } from 'stream';
import type { RedisConnectionPool } from '../../redis/redis-connection-pool';
import { RedisWriteBatching } from './redis-write-batching';

/** A socket stand-in that records each write that reaches it (one per system call on a socket). */
function recordingStream(writes: string[][]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => String(chunk)));
      done();
    },
  });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('RedisWriteBatching', () => {
  it("sends one turn's commands in one write, and writes at once again after the turn", async () => {
    const writes: string[][] = [];
    const stream = recordingStream(writes);
    const pool = { clients: [{ stream }] } as unknown as RedisConnectionPool;
    const batching = new RedisWriteBatching(pool);

    batching.batchThisTurn();
    stream.write('GET a');
    batching.batchThisTurn();
    stream.write('GET b');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual([['GET a', 'GET b']]);
    expect(stream.writableCorked).toBe(0);

    stream.write('GET c');
    expect(writes).toEqual([['GET a', 'GET b'], ['GET c']]);
  });

  it('leaves alone a connection without a writable socket', async () => {
    const ended = recordingStream([]);
    ended.end();
    const pool = {
      clients: [{ stream: undefined }, { stream: ended }],
    } as unknown as RedisConnectionPool;
    new RedisWriteBatching(pool).batchThisTurn();
    expect(ended.writableCorked).toBe(0);
    await nextTurn();
  });
});
