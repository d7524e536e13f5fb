import type { RedisModuleOptions } from '../redis/redis-module-options';

export interface StatefulModuleOptions {
  /** How to reach Redis: URL, host, Cluster, Sentinel, TLS, or an existing client. */
  redis: RedisModuleOptions;
  /** The `P` of every key (`P:{ns:lk:uid}svc`...); default `sf`, as the Go/Java design. */
  keyPrefix?: string;
}
