import { randomUUID } from 'crypto';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';

/** How often the database's identity is read: the longest a SWAPDB goes unseen. */
export const DATABASE_CHECK_MS = 1_000;

/**
 * Notices `SWAPDB`, for which Redis reports nothing to tracking clients (no flush, no
 * invalidation), though every key of the database has changed. The database carries an identity
 * (a random token in one key of its own, set when missing); when the token read differs from the
 * one seen before, the database is another one and `changed` runs. One GET a second; not on a
 * Cluster, which has one database and no SWAPDB.
 */
export class DatabaseIdentity {
  private identity?: string;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly key: string,
    private readonly changed: () => void,
  ) {}

  start(): void {
    if (this.pool.isCluster) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), DATABASE_CHECK_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /**
   * After a flush Redis reported (FLUSHALL, FLUSHDB), which emptied the cache already: the identity
   * may be gone with the rest, so the one read now is taken as this database's without a second
   * flush. Read at once, not at the next tick: a SWAPDB before it would go unnoticed.
   */
  forget(): void {
    this.identity = undefined;
    void this.check();
  }

  /** Reads the identity (setting one where there is none); runs `changed` when it is another. */
  async check(): Promise<void> {
    try {
      const client = this.pool.next();
      // GETRANGE rather than GET: Redis's command statistics keep this upkeep apart from link reads.
      let token = await client.getrange(this.key, 0, -1);
      if (token === '') {
        await client.set(this.key, randomUUID(), 'NX');
        token = await client.getrange(this.key, 0, -1);
      }
      if (token === '') return;
      if (this.identity !== undefined && token !== this.identity) this.changed();
      this.identity = token;
    } catch {
      // Redis away: the tracking connection's loss empties the cache already.
    }
  }
}
