import { MalformedReplyError, translateRedisError } from '../errors';
import type { LinkPlacement, PlacementObserver } from '../links/link-placement';
import type { PlacementChoice } from '../links/placement-choice';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import type { LuaScriptRegistry } from '../scripts/lua-script-registry';
import { parseOptionalPodId, parsePodId } from '../core/reply-parsers';
import type { StatefulKeys } from '../core/stateful-keys';
import type { ComputeLinkResult } from '../core/stateful.types';
import type { LinkCache, LinkCacheObserver } from './link-cache';
import { InFlightCalls } from './in-flight-calls';
import type { LinkState } from './link-entries';

interface ComputeCall {
  readonly promise: Promise<ComputeLinkResult>;
  readonly persistSeconds: number;
  readonly choice: PlacementChoice;
}

/**
 * The gateway's fast path (SPEC §7): getLinkedPod and computeLinkedPod answered from the link
 * cache when it may, and identical calls under way at the same time sharing one Redis call.
 * Arguments are checked by the caller.
 */
export class LinkLookup implements PlacementObserver, LinkCacheObserver {
  private readonly gets = new InFlightCalls<Promise<number | null>>();
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
    return this.gets.shared + this.computes.shared;
  }

  get(namespace: string, uid: string, serviceName: string): Promise<number | null> {
    const key = this.keys.link(namespace, uid, serviceName);
    const cached = this.cache.podOf(namespace, key, false);
    if (cached !== undefined) return Promise.resolve(cached);
    const shared = this.gets.find(key);
    if (shared !== undefined) {
      this.gets.shared++;
      return shared;
    }
    const admission = this.cache.begin(namespace, key);
    let promise: Promise<number | null>;
    if (admission === undefined) {
      // Uncached: a plain GET, with one promise over ioredis' own.
      promise = this.pool
        .next()
        .get(key)
        .then(
          (value) => {
            this.gets.forget(key);
            return parseOptionalPodId(value, key);
          },
          (error: unknown) => {
            this.gets.forget(key);
            throw translateRedisError(error, 'GET');
          },
        );
    } else {
      // To be cached: the link with its time to live, so that a temporary one is not kept past it.
      promise = this.scripts.run('statefulGetLinkWithTtl', [key], []).then(
        (reply) => {
          this.gets.forget(key);
          let link: LinkState | null;
          try {
            link = parseLinkWithTtl(reply, key);
          } catch (error) {
            this.cache.settle(admission, null, false);
            throw error;
          }
          this.cache.settle(admission, link, false);
          return link === null ? null : link.podId;
        },
        (error: unknown) => {
          this.gets.forget(key);
          this.cache.settle(admission, null, false);
          throw error;
        },
      );
    }
    this.gets.add(key, promise);
    return promise;
  }

  compute(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
    choice: PlacementChoice,
  ): Promise<ComputeLinkResult> {
    const keys = this.keys.linkAndUserLinks(namespace, uid, serviceName);
    const key = keys[0];
    // Only a persistent link: on a temporary one, compute refreshes or ends its TTL in Redis.
    const cached = this.cache.podOf(namespace, key, true);
    if (cached !== undefined) {
      if (!choice.heal || this.placement.keepsPod(namespace, serviceName, cached, choice)) {
        return Promise.resolve({ podId: cached, created: false });
      }
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
          (result) => linkAfterWrite(result.podId, persistSeconds),
        )
      : this.placement.compute(namespace, uid, serviceName, persistSeconds, choice, keys);
    this.computes.add(key, { promise, persistSeconds, choice });
    return promise;
  }

  // ---- LinkCacheObserver: Redis reported a change, calls under way may predate it ----

  invalidated(key: string): void {
    this.gets.forget(key);
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
  }

  /** A write of this process changed the link: later calls must not share answers read before it. */
  written(key: string): void {
    this.gets.forget(key);
    this.computes.forget(key);
  }

  /** A write of this process changed many links. */
  writtenMany(): void {
    this.gets.forgetAll();
    this.computes.forgetAll();
  }
}

/**
 * The link after a script that sets, keeps or creates it with `persistSeconds`: persistent with -1;
 * with a TTL temporary for that long, or still persistent if it was (the shorter life is assumed).
 */
export function linkAfterWrite(podId: number, persistSeconds: number): LinkState {
  return { podId, pttlMs: persistSeconds < 0 ? -1 : persistSeconds * 1000 };
}

/** `statefulGetLinkWithTtl`'s reply: nil, or [pod id, PTTL]; strict, as a read of one value. */
function parseLinkWithTtl(reply: unknown, key: string): LinkState | null {
  if (reply === null) return null;
  if (!Array.isArray(reply) || reply.length !== 2 || !Number.isInteger(reply[1])) {
    throw new MalformedReplyError(key, `expected [pod id, PTTL], got ${JSON.stringify(reply)}`);
  }
  const podId = parsePodId(reply[0], key);
  const pttlMs = reply[1] as number;
  // Inside the script the key exists, so PTTL is -1 (persistent) or the time left.
  return { podId, pttlMs: pttlMs < 0 ? -1 : pttlMs };
}

const asJoiner = (result: ComputeLinkResult): ComputeLinkResult => ({
  podId: result.podId,
  created: false,
});

function sameChoice(a: PlacementChoice, b: PlacementChoice): boolean {
  if (a === b) return true;
  if (
    a.maxAgeMs !== b.maxAgeMs ||
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
