import { translateRedisError } from '../errors';
import { runCommand } from './redis-command';
import type { RedisConnectionPool } from './redis-connection-pool';

/**
 * Where writes go when something must follow them on the connection that ran them (replicated
 * acknowledgements: src/durability's ConfirmedWrites). A strategy handed to the script runner
 * (`LuaScriptRegistry.sendWritesThrough`) and to plain writes (`writeCommand`); without one, a
 * write goes on the next pooled client like any read.
 */
export interface WritePath {
  /**
   * Sends `name args` (keys in `args` as the command has them; `slotKey` is one of them) and
   * resolves with its reply once the path is satisfied. Redis's error replies come back as ioredis
   * raised them: the caller translates them, and may resend after NOSCRIPT. A reply that
   * `wroteNothing` recognises needs nothing more.
   */
  send(
    operation: string,
    name: string,
    args: (string | number)[],
    slotKey: string,
    wroteNothing?: (reply: unknown) => boolean,
  ): Promise<unknown>;
}

/**
 * One plain write (`HSET`, `SET`) whose only key is `key`: through `path` when there is one,
 * else on the next pooled client. Errors come typed.
 */
export async function writeCommand(
  pool: RedisConnectionPool,
  path: WritePath | undefined,
  name: 'HSET' | 'SET',
  key: string,
  args: string[],
): Promise<void> {
  if (path === undefined) {
    await runCommand(pool, name, (redis) => redis.call(name, key, ...args));
    return;
  }
  try {
    await path.send(name, name.toLowerCase(), [key, ...args], key);
  } catch (error) {
    throw translateRedisError(error, name);
  }
}
