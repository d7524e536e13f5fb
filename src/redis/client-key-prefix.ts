import { isCluster, type RedisClient } from './redis-connection-pool';

/** ioredis' own `keyPrefix` of a client (one handed in may carry it): Redis's keys start with it. */
export function clientKeyPrefix(client: RedisClient): string {
  if (!isCluster(client)) return client.options.keyPrefix ?? '';
  return client.options.keyPrefix ?? client.options.redisOptions?.keyPrefix ?? '';
}
