import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import type { FlushReason, InvalidationSink } from './invalidation-listener';
import { resolveLinkCacheOptions, type LinkCacheOptions } from './link-cache-options';
import { LinkEntries, type Admission, type CachedLink, type LinkState } from './link-entries';
import { linkKeyOfEpoch, type StatefulKeys } from '../core/stateful-keys';
import { TrackedMasters } from './tracked-masters';
import { DatabaseIdentity } from './database-identity';

/** Told of what Redis reported, so that calls under way stop taking new callers (LinkLookup). */
export interface LinkCacheObserver {
  invalidated(key: string): void;
  flushed(): void;
}

export interface LinkCacheStats {
  enabled: boolean;
  /** Whether Redis reports changes to this process now; while not, nothing is cached. */
  tracking: boolean;
  entries: number;
  hits: number;
  misses: number;
  evictions: number;
  /** Cached links dropped because Redis reported a change. */
  invalidations: number;
  /** Times the whole cache was emptied, by reason. */
  flushes: Record<FlushReason, number>;
}

/**
 * The gateway's link cache (docs/link-cache.md): links answered from memory, kept coherent by Redis. Off
 * unless `cache` is configured; then every method is a cheap no-op. Entries are admitted only while
 * every master reports changes to this process (TrackedMasters), and only if no change to the key
 * was reported while the answer was fetched (LinkEntries).
 */
export class LinkCache implements OnModuleInit, OnModuleDestroy, InvalidationSink {
  private readonly logger = new Logger(LinkCache.name);
  private readonly entries?: LinkEntries;
  private readonly masters?: TrackedMasters;
  private readonly database?: DatabaseIdentity;
  private readonly namespaces?: ReadonlySet<string>;
  private readonly flushes: Record<FlushReason, number> = {
    'tracking lost': 0,
    'topology changed': 0,
    'redis flush': 0,
    'database swapped': 0,
  };
  private tracking = false;
  private lastFailure?: string;
  private readonly observers: LinkCacheObserver[] = [];

  /** Made by StatefulModule, from its key layout and `cache` option (absent: off). */
  constructor(
    pool: RedisConnectionPool,
    private readonly keys: StatefulKeys,
    options: LinkCacheOptions | undefined,
  ) {
    if (options === undefined) return;
    const resolved = resolveLinkCacheOptions(options, (value, field) =>
      keys.assertNamespace(value, field),
    );
    this.entries = new LinkEntries(resolved.maxEntries, resolved.ttlMs);
    this.namespaces = resolved.namespaces;
    this.masters = new TrackedMasters(pool, keys.trackingPrefixes(resolved.namespaces), this);
    this.database = new DatabaseIdentity(pool, keys.cacheIdentityKey(), () =>
      this.flush('database swapped'),
    );
  }

  get enabled(): boolean {
    return this.entries !== undefined;
  }

  onModuleInit(): void {
    this.masters?.start();
    this.database?.start();
  }

  onModuleDestroy(): void {
    this.masters?.close();
    this.database?.close();
    this.tracking = false;
    this.entries?.flush();
  }

  observe(observer: LinkCacheObserver): void {
    this.observers.push(observer);
  }

  /** The cached link of a link key, if the cache may answer; `persistentOnly` for computeLinkedPod. */
  linkOf(namespace: string, key: string, persistentOnly: boolean): CachedLink | undefined {
    if (this.entries === undefined || !this.caches(namespace)) return undefined;
    return this.entries.linkOf(key, persistentOnly);
  }

  /** A hit the caller could not use (computeLinkedPod of a user whose pod may be gone). */
  unhit(): void {
    this.entries?.unhit();
  }

  /** Starts a call whose answer about `key` may be cached; undefined when it may not be. */
  begin(namespace: string, key: string): Admission | undefined {
    if (this.entries === undefined || !this.tracking || !this.caches(namespace)) return undefined;
    return this.entries.begin(key);
  }

  /** Ends a call begun with `begin`: `link` is what Redis holds now, null for no link or unknown. */
  settle(admission: Admission | undefined, link: LinkState | null, isWrite: boolean): void {
    if (admission !== undefined) this.entries?.settle(admission, link, isWrite);
  }

  /**
   * A write through this process: its result replaces the entry at once (read-your-writes), and
   * answers fetched before it are not stored. On an error the entry is dropped (the write may or
   * may not have happened).
   */
  write<T>(
    namespace: string,
    key: string,
    call: () => Promise<T>,
    describe: (result: T) => LinkState | null,
  ): Promise<T> {
    if (this.entries === undefined) return call();
    const admission = this.tracking && this.caches(namespace) ? this.entries.begin(key) : undefined;
    return call().then(
      (result) => {
        if (admission) this.entries?.settle(admission, describe(result), true);
        else this.entries?.written(key);
        return result;
      },
      (error: unknown) => {
        if (admission) this.entries?.settle(admission, null, true);
        else this.entries?.written(key);
        throw error;
      },
    );
  }

  /** After releasePodUsers: drops the service's cached links to the pod. */
  dropPodLinks(namespace: string, serviceName: string, podId: number): void {
    this.entries?.drop(
      (key, linked) =>
        linked === podId && this.keys.uidOfLink(key, namespace, serviceName) !== undefined,
    );
  }

  stats(): LinkCacheStats {
    const counts = this.entries?.counts;
    return {
      enabled: this.enabled,
      tracking: this.tracking,
      entries: this.entries?.size ?? 0,
      hits: counts?.hits ?? 0,
      misses: counts?.misses ?? 0,
      evictions: counts?.evictions ?? 0,
      invalidations: counts?.invalidations ?? 0,
      flushes: { ...this.flushes },
    };
  }

  // ---- InvalidationSink ----

  invalidate(redisKey: string): void {
    // A change to a link's epoch key is a change to the link (docs/operations.md: the cache carries epochs).
    const key = linkKeyOfEpoch(redisKey) ?? redisKey;
    this.entries?.invalidate(key);
    // A call under way may have read the old value: a call starting now must not join it.
    for (const observer of this.observers) observer.invalidated(key);
  }

  flush(reason: FlushReason): void {
    if (reason === 'redis flush') this.database?.forget();
    if (this.entries === undefined) return;
    this.entries.flush();
    this.flushes[reason]++;
    for (const observer of this.observers) observer.flushed();
  }

  trackingChanged(): void {
    const tracking = this.masters?.tracking ?? false;
    if (tracking && this.lastFailure !== undefined) {
      this.logger.log('Link cache: Redis tracking restored');
      this.lastFailure = undefined;
    }
    this.tracking = tracking;
  }

  trackingFailed(error: Error): void {
    if (error.message === this.lastFailure) return;
    this.lastFailure = error.message;
    this.logger.warn(
      `Link cache: Redis refused client tracking (${error.message}); links are read from Redis until it accepts`,
    );
  }

  private caches(namespace: string): boolean {
    return this.namespaces === undefined || this.namespaces.has(namespace);
  }
}
