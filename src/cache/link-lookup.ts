import { markCacheHit } from '../tracing/operation-spans';
import { MalformedReplyError, translateRedisError } from '../errors';
import type { LinkPlacement, PlacementObserver } from '../links/link-placement';
import type { PlacementChoice } from '../links/placement-choice';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import type { LuaScriptRegistry } from '../scripts/lua-script-registry';
import { parseEpoch, parseOptionalPodId, parsePodId } from '../core/reply-parsers';
import { epochKeyOf, type StatefulKeys } from '../core/stateful-keys';
import type { ComputeLinkResult, LinkWithEpoch } from '../core/stateful.types';
import type { LinkCache, LinkCacheObserver } from './link-cache';
import { InFlightCalls } from './in-flight-calls';
import type { Admission, LinkState } from './link-entries';

interface ComputeCall {
  readonly promise: Promise<ComputeLinkResult>;
  readonly persistSeconds: number;
  readonly choice: PlacementChoice;
}

/**
 * The gateway's fast path (docs/link-cache.md): getLinkedPod and computeLinkedPod answered from the link
 * cache when it may, and identical calls under way at the same time sharing one Redis call.
 * Arguments are checked by the caller.
 */
export class LinkLookup implements PlacementObserver, LinkCacheObserver {
  private readonly gets = new InFlightCalls<Promise<number | null>>();
  private readonly links = new InFlightCalls<Promise<LinkWithEpoch | null>>();
  private readonly computes = new InFlightCalls<ComputeCall>();

  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly scripts: LuaScriptRegistry,
    private readonly keys: StatefulKeys,
    private readonly cache: LinkCache,
    private readonly placement: LinkPlacement,
  ) {
    placement.observer = this;
    cache.observe(this);
  }

  /** Calls that shared another's Redis call instead of making their own. */
  get sharedCalls(): number {
    return this.gets.shared + this.links.shared + this.computes.shared;
  }

  get(namespace: string, uid: string, serviceName: string): Promise<number | null> {
    const key = this.keys.link(namespace, uid, serviceName);
    // Without the cache, a plain GET with one promise over ioredis' own: sharing identical reads under
    // way cost a map insert and delete per call, 0.1 to 0.2 of the raw GET's rate in
    // `npm run bench` (docs/decisions.md), for a read Redis answers as cheaply as the map would.
    if (!this.cache.enabled) return this.plainGet(key);
    const cached = this.cache.linkOf(namespace, key, false);
    if (cached !== undefined) {
      markCacheHit();
      return Promise.resolve(cached.podId);
    }
    const shared = this.gets.find(key);
    if (shared !== undefined) {
      this.gets.shared++;
      return shared;
    }
    const admission = this.cache.begin(namespace, key);
    let promise: Promise<number | null>;
    if (admission === undefined) {
      // Not to be cached (tracking is down, or another namespace): a plain GET, still shared.
      promise = this.plainGet(key).finally(() => this.gets.forget(key));
    } else {
      // To be cached: the link with its time to live, so that a temporary one is not kept past it.
      promise = this.readLink(key, admission).then(
        (link) => {
          this.gets.forget(key);
          return link === null ? null : link.podId;
        },
        (error: unknown) => {
          this.gets.forget(key);
          throw error;
        },
      );
    }
    this.gets.add(key, promise);
    return promise;
  }

  /** The link's pod by a plain GET, with one promise over ioredis' own. */
  private plainGet(key: string): Promise<number | null> {
    return this.pool
      .next()
      .get(key)
      .then(
        (value) => parseOptionalPodId(value, key),
        (error: unknown) => {
          throw translateRedisError(error, 'GET');
        },
      );
  }

  /**
   * The link with its epoch (docs/operations.md): from the cache when it holds it, else one script that the
   * cache takes in. `fresh` skips the cache (owner checks: a process that was paused is the one
   * whose cache may not have heard of a change yet).
   */
  getLink(
    namespace: string,
    uid: string,
    serviceName: string,
    fresh = false,
  ): Promise<LinkWithEpoch | null> {
    const key = this.keys.link(namespace, uid, serviceName);
    // As for getLinkedPod: reads share calls under way only where the cache is on. A fresh read
    // joins none either: a call under way may have been sent before the change it must see.
    if (!this.cache.enabled) return this.readLink(key, undefined).then(linkWithEpoch);
    if (fresh) return this.readLink(key, this.cache.begin(namespace, key)).then(linkWithEpoch);
    const cached = this.cache.linkOf(namespace, key, false);
    if (cached !== undefined) {
      if (cached.persistenceKnown) {
        markCacheHit();
        return Promise.resolve(withEpoch(cached));
      }
      this.cache.unhit();
    }
    const shared = this.links.find(key);
    if (shared !== undefined) {
      this.links.shared++;
      return shared;
    }
    const promise = this.readLink(key, this.cache.begin(namespace, key)).then(
      (link) => {
        this.links.forget(key);
        return linkWithEpoch(link);
      },
      (error: unknown) => {
        this.links.forget(key);
        throw error;
      },
    );
    this.links.add(key, promise);
    return promise;
  }

  /** Whether `podId` holds the link at `epoch`, read from Redis (not from the cache). */
  isOwner(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    epoch: number,
  ): Promise<boolean> {
    return this.getLink(namespace, uid, serviceName, true).then(
      (link) => link !== null && link.podId === podId && link.epoch === epoch,
    );
  }

  /** The link as Redis holds it now, its time to live and epoch; settles the cache's admission. */
  private readLink(key: string, admission: Admission | undefined): Promise<LinkState | null> {
    return this.scripts.run('statefulGetLink', [key, epochKeyOf(key)], []).then(
      (reply) => {
        let link: LinkState | null;
        try {
          link = parseLink(reply, key);
        } catch (error) {
          this.cache.settle(admission, null, false);
          throw error;
        }
        this.cache.settle(admission, link, false);
        return link;
      },
      (error: unknown) => {
        this.cache.settle(admission, null, false);
        throw error;
      },
    );
  }

  compute(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
    choice: PlacementChoice,
  ): Promise<ComputeLinkResult> {
    const keys = this.keys.linkKeys(namespace, uid, serviceName);
    const key = keys[0];
    // Only a persistent link: on a temporary one, compute refreshes or ends its TTL in Redis.
    const cached = this.cache.linkOf(namespace, key, true);
    // A cached link without an epoch goes to Redis, which issues one.
    if (cached !== undefined && cached.epoch > 0) {
      const { podId, epoch } = cached;
      if (!choice.heal || this.placement.keepsPod(namespace, serviceName, podId, choice)) {
        markCacheHit();
        return Promise.resolve({ podId, created: false, epoch });
      }
      this.cache.unhit();
    } else if (cached !== undefined) {
      this.cache.unhit();
    }
    const shared = this.computes.find(key);
    if (
      shared !== undefined &&
      shared.persistSeconds === persistSeconds &&
      sameChoice(shared.choice, choice)
    ) {
      this.computes.shared++;
      // The call that shared another's did not create or move the link itself.
      return shared.promise.then(asJoiner);
    }
    // No `then` of its own: the placement tells `replied` (leave the table) and `wrote`.
    const promise = this.cache.enabled
      ? this.cache.write(
          namespace,
          key,
          () => this.placement.compute(namespace, uid, serviceName, persistSeconds, choice, keys),
          (result) => linkAfterWrite(result.podId, persistSeconds, result.epoch),
        )
      : this.placement.compute(namespace, uid, serviceName, persistSeconds, choice, keys);
    this.computes.add(key, { promise, persistSeconds, choice });
    return promise;
  }

  // ---- LinkCacheObserver: Redis reported a change, calls under way may predate it ----

  invalidated(key: string): void {
    this.gets.forget(key);
    this.links.forget(key);
    this.computes.forget(key);
  }

  flushed(): void {
    this.writtenMany();
  }

  // ---- PlacementObserver ----

  replied(link: string): void {
    this.computes.forget(link);
  }

  wrote(link: string): void {
    this.gets.forget(link);
    this.links.forget(link);
  }

  /** A write of this process changed the link: later calls must not share answers read before it. */
  written(key: string): void {
    this.gets.forget(key);
    this.links.forget(key);
    this.computes.forget(key);
  }

  /** A write of this process changed many links. */
  writtenMany(): void {
    this.gets.forgetAll();
    this.links.forgetAll();
    this.computes.forgetAll();
  }
}

/**
 * The link after a script that sets, keeps or creates it with `persistSeconds`: persistent with -1;
 * with a TTL temporary for that long, or still persistent if it was (the shorter life is assumed).
 */
export function linkAfterWrite(podId: number, persistSeconds: number, epoch: number): LinkState {
  return persistSeconds < 0
    ? { podId, pttlMs: -1, epoch }
    : { podId, pttlMs: persistSeconds * 1000, epoch, ttlAssumed: true };
}

/** `statefulGetLink`'s reply: nil, or [pod id, PTTL, epoch]; strict, as a read of one value. */
function parseLink(reply: unknown, key: string): LinkState | null {
  if (reply === null) return null;
  if (!Array.isArray(reply) || reply.length !== 3 || !Number.isInteger(reply[1])) {
    throw new MalformedReplyError(
      key,
      `expected [pod id, PTTL, epoch], got ${JSON.stringify(reply)}`,
    );
  }
  const podId = parsePodId(reply[0], key);
  const pttlMs = reply[1] as number;
  // Inside the script the key exists, so PTTL is -1 (persistent) or the time left.
  return { podId, pttlMs: pttlMs < 0 ? -1 : pttlMs, epoch: parseEpoch(reply[2], key) };
}

const withEpoch = (link: { podId: number; epoch: number; persistent: boolean }): LinkWithEpoch => ({
  podId: link.podId,
  epoch: link.epoch,
  persistent: link.persistent,
});

const linkWithEpoch = (link: LinkState | null): LinkWithEpoch | null =>
  link === null ? null : { podId: link.podId, epoch: link.epoch, persistent: link.pttlMs < 0 };

const asJoiner = (result: ComputeLinkResult): ComputeLinkResult => ({
  podId: result.podId,
  created: false,
  epoch: result.epoch,
});

function sameChoice(a: PlacementChoice, b: PlacementChoice): boolean {
  if (a === b) return true;
  if (
    a.maxAgeMs !== b.maxAgeMs ||
    a.javaMaxAgeMs !== b.javaMaxAgeMs ||
    a.maxLoad !== b.maxLoad ||
    a.heal !== b.heal ||
    a.goneAfterMs !== b.goneAfterMs ||
    a.missedBeats !== b.missedBeats ||
    a.loadPerUser !== b.loadPerUser ||
    a.loadTolerance !== b.loadTolerance ||
    a.excludePods.size !== b.excludePods.size
  ) {
    return false;
  }
  for (const pod of a.excludePods) if (!b.excludePods.has(pod)) return false;
  return true;
}
