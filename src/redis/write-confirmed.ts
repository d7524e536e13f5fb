import type { ChainableCommander } from 'ioredis';
import { RedisUnavailableError, translateRedisError } from '../errors';
import type { ReplicaConfirmation } from '../scripts/lua-script-registry';
import { isCluster, type RedisClient, type RedisConnectionPool } from './redis-connection-pool';

/** Slot moves a confirmed write follows before it gives up (ioredis' own default is 16). */
const MAX_REDIRECTIONS = 16;

/** A write and WAIT's answer after it, as one pipeline returned them. */
export interface ConfirmedReplies {
  writeError: Error | null;
  reply: unknown;
  waitError: Error | null;
  confirmed: unknown;
}

/**
 * A write, then WAIT, in one pipeline on one connection: on a Cluster the pipeline goes to the
 * master of the write's slot, so WAIT counts the replicas of the master that took the write. A
 * write refused with MOVED or ASK (a failover or resharding the client has not seen yet) was not
 * executed: the slot map is reloaded and the pipeline sent again.
 */
export async function writeThenWait(
  client: RedisClient,
  name: string,
  { replicas, timeoutMs }: ReplicaConfirmation,
  write: (pipeline: ChainableCommander) => void,
): Promise<ConfirmedReplies> {
  for (let attempt = 0; ; attempt++) {
    const pipeline = client.pipeline();
    write(pipeline);
    pipeline.call('WAIT', replicas, timeoutMs);
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (error) {
      reloadSlotsAfterFailure(client);
      throw translateRedisError(error, name);
    }
    if (replies === null || replies.length !== 2) {
      throw new RedisUnavailableError(name, new Error('the pipeline was not executed'));
    }
    const [[writeError, reply], [waitError, confirmed]] = replies;
    if (writeError !== null && isRedirection(writeError) && isCluster(client)) {
      if (attempt === MAX_REDIRECTIONS) throw new RedisUnavailableError(name, writeError);
      await new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()));
      continue;
    }
    // A connection error or timeout (a master died): ioredis reloads the slot map for its own
    // commands, not for a pipeline's; the next call must find the new master.
    if (writeError !== null && !isReplyError(writeError)) reloadSlotsAfterFailure(client);
    return { writeError, reply, waitError, confirmed };
  }
}

function reloadSlotsAfterFailure(client: RedisClient): void {
  if (isCluster(client)) client.refreshSlotsCache();
}

/** An error Redis answered (as opposed to a connection that failed or timed out). */
function isReplyError(error: Error): boolean {
  return error.name === 'ReplyError';
}

/** One plain write confirmed by replicas; its reply, or a typed error. */
export async function writeConfirmed(
  pool: RedisConnectionPool,
  name: string,
  confirmation: ReplicaConfirmation,
  write: (pipeline: ChainableCommander) => void,
): Promise<unknown> {
  const replies = await writeThenWait(pool.next(), name, confirmation, write);
  return confirmedReply(name, replies, confirmation);
}

/** The write's reply if it succeeded and enough replicas confirmed it; else a typed error. */
export function confirmedReply(
  name: string,
  { writeError, reply, waitError, confirmed }: ConfirmedReplies,
  { replicas, timeoutMs }: ReplicaConfirmation,
): unknown {
  if (writeError !== null) throw translateRedisError(writeError, name);
  if (waitError !== null) throw translateRedisError(waitError, name);
  if (typeof confirmed === 'number' && confirmed >= replicas) return reply;
  // Fewer replicas in time: the caller must not trust the write, which may or may not survive.
  throw new RedisUnavailableError(
    name,
    new Error(
      `the write was not confirmed by replicas (${String(confirmed)} of ${replicas} within ${timeoutMs} ms); it may or may not survive a failover`,
    ),
  );
}

function isRedirection(error: Error): boolean {
  return error.message.startsWith('MOVED ') || error.message.startsWith('ASK ');
}
