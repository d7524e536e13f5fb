import { translateRedisError } from '../errors';
import type { RedisClient, RedisConnectionPool } from './redis-connection-pool';

/**
 * One plain command on the next pooled client, with ioredis errors turned into typed errors and
 * the reply handed to `parse` in the same `then` (one promise over ioredis', as for scripts).
 */
export function runCommand<T>(
  pool: RedisConnectionPool,
  name: string,
  run: (redis: RedisClient) => Promise<T>,
): Promise<T>;
export function runCommand<T, R>(
  pool: RedisConnectionPool,
  name: string,
  run: (redis: RedisClient) => Promise<T>,
  parse: (value: T) => R,
): Promise<R>;
export function runCommand<T, R>(
  pool: RedisConnectionPool,
  name: string,
  run: (redis: RedisClient) => Promise<T>,
  parse?: (value: T) => R,
): Promise<T | R> {
  return run(pool.next()).then(parse, (error: unknown) => {
    throw translateRedisError(error, name);
  });
}
