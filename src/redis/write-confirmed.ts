import type { ChainableCommander } from 'ioredis';
import { RedisUnavailableError, translateRedisError } from '../errors';
import type { ReplicaConfirmation } from '../scripts/lua-script-registry';
import type { RedisConnectionPool } from './redis-connection-pool';

/**
 * One plain write, then WAIT, in one pipeline on one connection (on a Cluster, the master of the
 * write's slot): resolves only once `replicas` replicas have the write.
 */
export async function writeConfirmed(
  pool: RedisConnectionPool,
  name: string,
  { replicas, timeoutMs }: ReplicaConfirmation,
  write: (pipeline: ChainableCommander) => void,
): Promise<unknown> {
  const pipeline = pool.next().pipeline();
  write(pipeline);
  pipeline.call('WAIT', replicas, timeoutMs);
  let replies: [Error | null, unknown][] | null;
  try {
    replies = await pipeline.exec();
  } catch (error) {
    throw translateRedisError(error, name);
  }
  if (replies === null || replies.length !== 2) {
    throw new RedisUnavailableError(name, new Error('the pipeline was not executed'));
  }
  const [[writeError, reply], [waitError, confirmed]] = replies;
  if (writeError !== null) throw translateRedisError(writeError, name);
  if (waitError !== null) throw translateRedisError(waitError, name);
  assertConfirmed(name, confirmed, replicas, timeoutMs);
  return reply;
}

/** WAIT's answer: fewer replicas than asked means the caller must not trust the write. */
export function assertConfirmed(
  name: string,
  confirmed: unknown,
  replicas: number,
  timeoutMs: number,
): void {
  if (typeof confirmed === 'number' && confirmed >= replicas) return;
  throw new RedisUnavailableError(
    name,
    new Error(
      `the write was not confirmed by replicas (${String(confirmed)} of ${replicas} within ${timeoutMs} ms); it may or may not survive a failover`,
    ),
  );
}
