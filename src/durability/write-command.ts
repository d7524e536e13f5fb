import { translateRedisError } from '../errors';
import { runCommand } from '../redis/redis-command';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import type { ConfirmedWrites } from './confirmed-writes';

/**
 * One plain write (`HSET`, `SET`) whose only key is `key`: through `confirmed` when `durability`
 * is on (it resolves once replicas have it), else on the next pooled client. Errors come typed.
 */
export async function writeCommand(
  pool: RedisConnectionPool,
  confirmed: ConfirmedWrites | undefined,
  name: 'HSET' | 'SET',
  key: string,
  args: string[],
): Promise<void> {
  if (confirmed === undefined) {
    await runCommand(pool, name, (redis) => redis.call(name, key, ...args));
    return;
  }
  try {
    await confirmed.send(name, name.toLowerCase(), [key, ...args], key);
  } catch (error) {
    throw translateRedisError(error, name);
  }
}
