import type { Redis } from 'ioredis';
import {
  isCluster,
  type RedisClient,
  type RedisConnectionPool,
} from '../redis/redis-connection-pool';
import { clientKeyPrefix } from '../redis/client-key-prefix';
import { nodeAddress } from '../redis/slot-master';
import { InvalidationListener, type InvalidationSink } from './invalidation-listener';
import { remoteAddressOf } from './remote-address';

/** Reconnection delay of a listener: quick at first, then every 2 s. */
const retryStrategy = (times: number): number => Math.min(times * 100, 2_000);
/** How often the listeners are checked against the Cluster clients' slot maps. */
const TOPOLOGY_CHECK_MS = 1_000;

/**
 * One InvalidationListener per server that takes writes: the server itself (also behind
 * Sentinel, whose client follows the master), or each Cluster master. On a Cluster the set follows
 * the masters all of the pool's clients know (their union: during a failover one client may know
 * the new master before another forgets the old); when it changes, listeners are added and removed
 * and the cache is flushed, since writes may have reached a master nobody listened to. Behind
 * Sentinel, the cache admits answers only while every pooled connection is ready on the very
 * server the listener is on, and is flushed when one of them drops (it may come back on another
 * master). Its connections are its own (duplicates of the pool's), and it closes them.
 */
export class TrackedMasters {
  private readonly listeners = new Map<string, InvalidationListener>();
  private readonly detach: (() => void)[] = [];
  private closed = false;
  /** ioredis' own `keyPrefix` of a client handed in: Redis's keys carry it, the cache's do not. */
  private readonly keyPrefix: string;

  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly prefixes: readonly string[],
    private readonly sink: InvalidationSink,
  ) {
    this.keyPrefix = clientKeyPrefix(pool.clients[0]);
  }

  /** True when every master has a listener, all of them track, and the pool is where they are. */
  get tracking(): boolean {
    if (this.listeners.size === 0) return false;
    for (const listener of this.listeners.values()) if (!listener.isTracking) return false;
    if (!this.behindSentinel) return true;
    const listening = [...this.listeners.values()][0].remoteAddress;
    return this.pool.clients.every(
      (client) => client.status === 'ready' && remoteAddressOf(client as Redis) === listening,
    );
  }

  get size(): number {
    return this.listeners.size;
  }

  start(): void {
    const first = this.pool.clients[0];
    if (!isCluster(first)) {
      this.add('server', first);
      if (!this.behindSentinel) return;
      for (const client of this.pool.clients as Redis[]) {
        this.on(client, 'close', () => {
          this.sink.flush('tracking lost');
          this.sink.trackingChanged();
        });
        this.on(client, 'ready', () => this.sink.trackingChanged());
      }
      return;
    }
    const follow = () => this.follow();
    for (const cluster of this.pool.clients.filter(isCluster)) {
      for (const event of ['refresh', 'ready', '+node', '-node']) this.on(cluster, event, follow);
    }
    // ioredis promotes a known replica to master without an event of its own.
    const timer = setInterval(follow, TOPOLOGY_CHECK_MS);
    timer.unref();
    this.detach.push(() => clearInterval(timer));
    this.follow();
  }

  /**
   * Behind Sentinel each connection finds the master on its own: during a failover the listener
   * and a pooled connection can be on different servers.
   */
  private get behindSentinel(): boolean {
    const first = this.pool.clients[0];
    return !isCluster(first) && (first.options.sentinels?.length ?? 0) > 0;
  }

  close(): void {
    this.closed = true;
    for (const undo of this.detach) undo();
    for (const listener of this.listeners.values()) listener.close();
    this.listeners.clear();
  }

  /** Brings the listeners in line with the masters the Cluster clients know now. */
  private follow(): void {
    if (this.closed) return;
    const masters = new Map<string, Redis>();
    for (const cluster of this.pool.clients.filter(isCluster)) {
      for (const node of cluster.nodes('master')) {
        masters.set(nodeAddress(node), node);
      }
    }
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
    const listener = new InvalidationListener(connection, this.prefixes, this.sink, this.keyPrefix);
    this.listeners.set(address, listener);
    listener.start();
  }

  /** Listens on a client the pool owns or was handed, and remembers to stop on close. */
  private on(client: RedisClient, event: string, handler: () => void): void {
    client.on(event, handler);
    this.detach.push(() => client.off(event, handler));
  }
}
