import type { Redis } from 'ioredis';
import { remoteAddressOf } from './remote-address';

/** The channel Redis publishes invalidations on when tracking redirects to a RESP2 connection. */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** How often the listener checks its connection still answers (a silent network failure). */
const HEARTBEAT_MS = 1_000;
/** After Redis refuses tracking: wait this long, doubling up to the maximum, before asking again. */
const REFUSED_RETRY_MS = 1_000;
const REFUSED_RETRY_MAX_MS = 60_000;

export type FlushReason = 'tracking lost' | 'topology changed' | 'redis flush' | 'database swapped';

/** What the listener tells the cache. */
export interface InvalidationSink {
  invalidate(key: string): void;
  flush(reason: FlushReason): void;
  /** A listener started or stopped tracking: the cache may admit answers only while all track. */
  trackingChanged(): void;
  /** Tracking could not be set up (old Redis, an ACL refusing CLIENT): the cache stays unused. */
  trackingFailed(error: Error): void;
}

/**
 * One connection to one master that receives the invalidations of the tracked prefixes: on every
 * (re)connection it sends `CLIENT TRACKING on REDIRECT <its own id> BCAST PREFIX ...`, then
 * SUBSCRIBE `__redis__:invalidate`. Broadcast mode makes Redis report every change to a key under
 * the prefixes, whichever connection read it, so the pooled connections (which ioredis reconnects
 * on its own) need no tracking of their own. If this connection drops, the invalidations sent
 * meanwhile are lost: the cache is flushed, and admits nothing until tracking is back.
 */
export class InvalidationListener {
  private tracking = false;
  private closed = false;
  /** Bumped on each connection, so that a setup of an older connection is ignored. */
  private connectionEpoch = 0;
  private heartbeat?: NodeJS.Timeout;
  private readonly prefixes: readonly string[];
  private pingSentAt?: number;
  /** Refusals since tracking last worked: ioredis' own back-off restarts at each connection. */
  private refusals = 0;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly connection: Redis,
    prefixes: readonly string[],
    private readonly sink: InvalidationSink,
    /** ioredis' `keyPrefix` of the library's client: in Redis's keys, not in the cache's. */
    private readonly clientKeyPrefix = '',
  ) {
    this.prefixes = prefixes.map((prefix) => clientKeyPrefix + prefix);
    connection.on('ready', () => void this.arm(++this.connectionEpoch));
    connection.on('close', () => this.lost());
    connection.on('messageBuffer', (channel: Buffer, message: unknown) =>
      this.onMessage(channel, message),
    );
    // Errors surface as 'close' and reconnections; without a listener ioredis would print them.
    connection.on('error', () => undefined);
  }

  get isTracking(): boolean {
    return this.tracking;
  }

  /** The server this listener is connected to, as its socket sees it. */
  get remoteAddress(): string | undefined {
    return remoteAddressOf(this.connection);
  }

  start(): void {
    if (this.connection.status === 'wait') void this.connection.connect().catch(() => undefined);
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retryTimer);
    this.lost();
    this.connection.disconnect();
  }

  private async arm(epoch: number): Promise<void> {
    try {
      const id = await this.connection.client('ID');
      const args = ['TRACKING', 'on', 'REDIRECT', String(id), 'BCAST'];
      for (const prefix of this.prefixes) args.push('PREFIX', prefix);
      await this.connection.call('CLIENT', ...args);
      await this.connection.subscribe(INVALIDATE_CHANNEL);
    } catch (error) {
      if (epoch !== this.connectionEpoch || this.closed) return;
      this.sink.trackingFailed(error instanceof Error ? error : new Error(String(error)));
      this.retryLater();
      return;
    }
    if (epoch !== this.connectionEpoch || this.closed || this.connection.status !== 'ready') return;
    this.refusals = 0;
    this.tracking = true;
    this.sink.trackingChanged();
  }

  /**
   * Redis refused (an old server, an ACL without CLIENT or SUBSCRIBE, a command error): close the
   * connection and ask again on a new one after a delay that doubles up to a minute, rather than at
   * ioredis' reconnection pace, which starts afresh at every connection.
   */
  private retryLater(): void {
    const delay = Math.min(REFUSED_RETRY_MS * 2 ** this.refusals, REFUSED_RETRY_MAX_MS);
    this.refusals++;
    this.connection.disconnect(false);
    this.retryTimer = setTimeout(() => {
      if (!this.closed) void this.connection.connect().catch(() => undefined);
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * A connection whose peer vanished without a reset (a partition) looks alive, and its lost
   * invalidations would go unnoticed: a ping unanswered for a heartbeat drops it, which flushes.
   */
  private checkAlive(): void {
    if (!this.tracking) return;
    if (this.pingSentAt !== undefined) {
      this.pingSentAt = undefined;
      this.connection.disconnect(true);
      return;
    }
    const sentAt = performance.now();
    this.pingSentAt = sentAt;
    this.connection.ping().then(
      () => {
        if (this.pingSentAt === sentAt) this.pingSentAt = undefined;
      },
      () => undefined,
    );
  }

  private lost(): void {
    this.pingSentAt = undefined;
    this.connectionEpoch++;
    if (!this.tracking) return;
    this.tracking = false;
    this.sink.flush('tracking lost');
    this.sink.trackingChanged();
  }

  /** A key (bulk string), several keys (array), or null for a FLUSHALL/FLUSHDB. */
  private onMessage(channel: Buffer, message: unknown): void {
    // Bytes arrived: the connection is alive, even if a ping waits behind a burst of reports.
    this.pingSentAt = undefined;
    // Not gated on `tracking`: dropping an entry is always safe.
    if (channel.toString() !== INVALIDATE_CHANNEL) return;
    if (message === null) {
      this.sink.flush('redis flush');
    } else if (Array.isArray(message)) {
      for (const key of message) this.invalidate(String(key));
    } else if (Buffer.isBuffer(message)) {
      this.invalidate(message.toString());
    }
  }

  private invalidate(redisKey: string): void {
    if (redisKey.startsWith(this.clientKeyPrefix)) {
      this.sink.invalidate(redisKey.slice(this.clientKeyPrefix.length));
    }
  }
}
