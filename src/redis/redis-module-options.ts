import type { ConnectionOptions } from 'tls';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';

export interface RedisNodeAddress {
  host: string;
  port: number;
}

export interface RedisClusterConfig {
  /** Seed nodes; the client discovers the rest of the cluster from them. */
  nodes: RedisNodeAddress[];
  /** Passed to ioredis' `Cluster` as is (scaleReads, natMap, slotsRefreshTimeout...). */
  options?: ClusterOptions;
}

export interface RedisSentinelConfig {
  sentinels: RedisNodeAddress[];
  /** The monitored master's name. */
  name: string;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** TLS towards the sentinels themselves (the data connection uses `tls`). */
  sentinelTls?: ConnectionOptions;
}

/** How to reach Redis. Exactly one of `url`, `host`, `cluster`, `sentinel` or `client` selects the topology. */
export interface RedisModuleOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://...` for TLS. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** `true` for TLS with the system CAs, or Node TLS options (ca, cert, key, servername...). */
  tls?: boolean | ConnectionOptions;
  cluster?: RedisClusterConfig;
  sentinel?: RedisSentinelConfig;
  /**
   * An existing ioredis client to use instead of creating one. The module never closes it:
   * the code that created it owns it.
   */
  client?: Redis | Cluster;
  /** Connections used round-robin (default 1: one multiplexed connection). Ignored with `client`. */
  poolSize?: number;
  /** Time to establish a connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Time a command may take before it fails with RedisUnavailableError (default 5000 ms). */
  commandTimeoutMs?: number;
  /** Reconnection attempts a queued command waits through before it fails (default 2). */
  maxRetriesPerRequest?: number;
  /** CLIENT SETNAME of every connection (default `nest-stateful-redis`). */
  connectionName?: string;
  /** Any other ioredis option, applied last. */
  redisOptions?: RedisOptions;
}
