import type { Cluster, Redis } from 'ioredis';
import {
  isCluster,
  type RedisClient,
  type RedisConnectionPool,
} from '../redis/redis-connection-pool';
import { InvalidationListener, type InvalidationSink } from './invalidation-listener';

/** Reconnection delay of a listener: quick at first, then every 2 s. */
const retryStrategy = (times: number): number => Math.min(times * 100, 2_000);

/**
 * One InvalidationListener per server that takes writes: the server itself (also behind
 * Sentinel, whose client follows the master), or each Cluster master. On a Cluster the set follows
 * the client's slot map: when the masters change (a failover, a resharding), listeners are added
 * and removed and the cache is flushed, since writes may have reached a master nobody listened to.
 * Its connections are its own (duplicates of the pool's), and it closes them.
 */
export class TrackedMasters {
  private readonly listeners = new Map<string, InvalidationListener>();
  private closed = false;
  /** ioredis' own `keyPrefix` of a client handed in: Redis's keys carry it, the cache's do not. */
  private readonly clientKeyPrefix: string;

  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly prefixes: readonly string[],
    private readonly sink: InvalidationSink,
  ) {
    this.clientKeyPrefix = clientKeyPrefixOf(pool.clients[0]);
  }

  /** True when every master has a listener and all of them track. */
  get tracking(): boolean {
    if (this.listeners.size === 0) return false;
    for (const listener of this.listeners.values()) if (!listener.isTracking) return false;
    return true;
  }

  get size(): number {
    return this.listeners.size;
  }

  start(): void {
    const first = this.pool.clients[0];
    if (!isCluster(first)) {
      this.add('server', first);
      return;
    }
    for (const cluster of this.pool.clients.filter(isCluster)) {
      const follow = () => this.follow(cluster);
      cluster.on('refresh', follow);
      cluster.on('ready', follow);
      cluster.on('+node', follow);
      cluster.on('-node', follow);
    }
    this.follow(first);
  }

  close(): void {
    this.closed = true;
    for (const listener of this.listeners.values()) listener.close();
    this.listeners.clear();
  }

  /** Brings the listeners in line with the masters `cluster` knows now. */
  private follow(cluster: Cluster): void {
    if (this.closed) return;
    const masters = new Map(
      cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]),
    );
    if (masters.size === 0) return;
    const hadListeners = this.listeners.size > 0;
    let changed = false;
    for (const [address, listener] of this.listeners) {
      if (masters.has(address)) continue;
      listener.close();
      this.listeners.delete(address);
      changed = true;
    }
    for (const [address, node] of masters) {
      if (this.listeners.has(address)) continue;
      this.add(address, node);
      changed = true;
    }
    if (changed) {
      if (hadListeners) this.sink.flush('topology changed');
      this.sink.trackingChanged();
    }
  }

  private add(address: string, source: Redis): void {
    const connection = source.duplicate({
      keyPrefix: '',
      lazyConnect: true,
      autoResubscribe: false,
      enableOfflineQueue: true,
      readOnly: false,
      retryStrategy,
      connectionName: 'stateful-link-cache',
    });
    const listener = new InvalidationListener(
      connection,
      this.prefixes,
      this.sink,
      this.clientKeyPrefix,
    );
    this.listeners.set(address, listener);
    listener.start();
  }
}

function clientKeyPrefixOf(client: RedisClient): string {
  if (!isCluster(client)) return client.options.keyPrefix ?? '';
  return client.options.keyPrefix ?? client.options.redisOptions?.keyPrefix ?? '';
}
