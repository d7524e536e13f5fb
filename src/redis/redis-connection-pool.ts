import type { Cluster, Redis } from 'ioredis';
import { translateRedisError, type StatefulValidationError } from '../errors';
import { reloadSlotMap } from './slot-master';
import { withTimeout } from './with-timeout';

/** How long shutdown waits for a QUIT to be answered and the socket to close. */
const CLOSE_TIMEOUT_MS = 2_000;

export type RedisClient = Redis | Cluster;

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/**
 * The connections the library talks through, used round-robin. All clients point at the same
 * deployment (one server, one Sentinel group or one Cluster); `owned` says whether the pool
 * created them and so must close them.
 */
export class RedisConnectionPool {
  private cursor = 0;
  private refused?: StatefulValidationError;
  private readonly lastErrors = new WeakMap<RedisClient, Error>();

  constructor(
    readonly clients: readonly RedisClient[],
    readonly owned: boolean,
    /** How long start-up waits for the connections (the `connectTimeoutMs` option). */
    readonly readyTimeoutMs = 5_000,
  ) {
    if (clients.length === 0) throw new Error('RedisConnectionPool needs at least one client');
  }

  /** Set when Redis refused the configuration (a database it does not have): fatal, never retried. */
  get refusal(): StatefulValidationError | undefined {
    return this.refused;
  }

  refuse(error: StatefulValidationError): void {
    this.refused ??= error;
  }

  /** Remembers why a connection failed (until it is ready again), for health reports. */
  noteError(client: RedisClient, error: Error | undefined): void {
    if (error) this.lastErrors.set(client, error);
    else this.lastErrors.delete(client);
  }

  /** Why the first connection that is not ready is down: its state and its last error, typed. */
  describeDown(): string | undefined {
    const down = this.clients.find((client) => client.status !== 'ready');
    if (!down) return undefined;
    const error = this.lastErrors.get(down);
    const state = `Redis connection is ${down.status}`;
    return error ? `${state}: ${translateRedisError(error, 'connect').message}` : state;
  }

  /** The next client in round-robin order. */
  next(): RedisClient {
    const client = this.clients[this.cursor];
    this.cursor = (this.cursor + 1) % this.clients.length;
    return client;
  }

  get isCluster(): boolean {
    return isCluster(this.clients[0]);
  }

  /**
   * Resolves once every client is ready (a Cluster client only knows its masters then); rejects
   * after `timeoutMs`. Used before per-node work such as preloading scripts.
   */
  async whenReady(timeoutMs: number = this.readyTimeoutMs): Promise<void> {
    try {
      await Promise.all(this.clients.map((client) => waitUntilReady(client, timeoutMs)));
    } catch (error) {
      throw this.refused ?? error;
    }
    if (this.refused) throw this.refused;
  }

  /**
   * Throws at once unless every client is connected: a health check needs no wait to report a
   * connection that is known to be down.
   */
  assertReady(): void {
    if (this.refused) throw this.refused;
    const down = this.describeDown();
    if (down) throw new Error(down);
  }

  /** One connection per Redis server that accepts writes: the server itself, or every Cluster master. */
  masters(): Redis[] {
    const first = this.clients[0];
    return isCluster(first) ? first.nodes('master') : [first];
  }

  /**
   * Asks every Cluster client to reload the slot map, so that a master promoted while no command
   * was sent (a failover under no traffic) is known before per-node work. No-op elsewhere.
   */
  async refreshTopology(timeoutMs: number): Promise<void> {
    await Promise.all(
      this.clients
        .filter(isCluster)
        .map((cluster) => withTimeout(reloadSlotMap(cluster), timeoutMs).catch(() => undefined)),
    );
  }

  /** Every connection to ping for health: each pooled connection, or each master of each Cluster client. */
  connections(): Redis[] {
    return this.clients.flatMap((client) =>
      isCluster(client) ? client.nodes('master') : [client],
    );
  }

  /** Closes the clients this pool created and waits until they are closed; a user's client is left open. */
  async close(): Promise<void> {
    if (!this.owned) return;
    await Promise.all(this.clients.map(closeClient));
  }
}

function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new Error('Redis connection is closed'));
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onEnd = () => settle(new Error('Redis connection is closed'));
    const timer = setTimeout(
      () => settle(new Error(`Redis not ready after ${timeoutMs} ms (status ${client.status})`)),
      timeoutMs,
    );
    client.once('ready', onReady);
    client.once('end', onEnd);
  });
}

/** QUIT, then wait for the socket to close; a client that does not close in time is cut off. */
async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    // Never connected (lazyConnect) or between reconnections: nothing to QUIT, only retries to stop.
    client.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  let closed = false;
  try {
    await withTimeout(client.quit(), CLOSE_TIMEOUT_MS);
    await withTimeout(ended, CLOSE_TIMEOUT_MS);
    closed = true;
  } catch {
    // no answer in time: cut the connection below
  }
  // Still open (no answer in time), or Sentinel mode, where only disconnect() closes the failover
  // detector's connections to the sentinels. Not otherwise: after a clean end it would leave a handle.
  if (!closed || isSentinelClient(client)) client.disconnect();
}

function isSentinelClient(client: RedisClient): boolean {
  return !isCluster(client) && (client.options.sentinels?.length ?? 0) > 0;
}
