import { MalformedReplyError } from '../errors';
import {
  parseEpoch,
  parseFlag,
  parseFlagPodIdAndEpoch,
  parseOptionalPodId,
} from '../core/reply-parsers';
import type { LinkKeys, StatefulKeys } from '../core/stateful-keys';
import type { TrySetLinkResult } from '../core/stateful.types';
import type { LuaScriptRegistry, ReplyParser } from '../scripts/lua-script-registry';
import type { LinkCache } from './link-cache';
import type { LinkState } from './link-entries';
import { linkAfterWrite, type LinkLookup } from './link-lookup';

/**
 * The link-writing scripts (docs/operations.md, "Links"), keeping this process's view coherent: calls under
 * way for a link take no new callers once a write to it is answered, and the link cache takes the
 * link as written (read-your-writes). Arguments are checked by the caller. Not `async`: this is
 * the hot path, and each call costs one promise on top of ioredis' own.
 */
export class LinkWrites {
  /** A failed write may still have happened: calls under way for its link take no new callers. */
  private readonly writeFailed = (_error: unknown, keys: readonly string[]) =>
    this.lookup.written(keys[0]);

  constructor(
    private readonly scripts: LuaScriptRegistry,
    private readonly keys: StatefulKeys,
    private readonly cache: LinkCache,
    private readonly lookup: LinkLookup,
  ) {}

  /** Links unconditionally; the pod linked before, or null. */
  set(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<number | null> {
    return this.write(
      namespace,
      this.keys.linkKeys(namespace, uid, serviceName),
      'statefulSetLink',
      [serviceName, podId, persistSeconds],
      parseSetLinkReply,
      (reply) => linkAfterWrite(podId, persistSeconds, reply.epoch),
    ).then(previousPod);
  }

  /** Keeps an existing link's pod (adjusting its persistence), else links; the pod linked now. */
  setIfAbsent(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<number> {
    return this.write(
      namespace,
      this.keys.linkKeys(namespace, uid, serviceName),
      'statefulSetLinkIfAbsent',
      [serviceName, podId, persistSeconds],
      parseClaim,
      (claim) => linkAfterWrite(claim.podId, persistSeconds, claim.epoch),
    ).then(claimedPod);
  }

  /** Refused only by a persistent link to another pod; otherwise links as `set`. */
  trySet(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<TrySetLinkResult> {
    return this.write(
      namespace,
      this.keys.linkKeys(namespace, uid, serviceName),
      'statefulTrySetLink',
      [serviceName, podId, persistSeconds],
      parseTrySetLinkReply,
      (reply) =>
        reply.flag
          ? linkAfterWrite(podId, persistSeconds, reply.epoch)
          : persistentLink(reply.podId, reply.epoch),
    ).then(trySetResult);
  }

  /** Unlists the link, deleting it (`-1`) or keeping it as a temporary link; true if one existed. */
  remove(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
  ): Promise<boolean> {
    return this.write(
      namespace,
      this.keys.linkKeys(namespace, uid, serviceName),
      'statefulRemoveLink',
      [serviceName, persistSeconds],
      parseRemoveReply,
      noLink,
    );
  }

  /** `remove` only if the link points at `podId` (compare-and-remove). */
  removeWithId(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<boolean> {
    return this.write(
      namespace,
      this.keys.linkKeys(namespace, uid, serviceName),
      'statefulRemoveLinkWithId',
      [serviceName, persistSeconds, podId],
      parseRemoveWithIdReply,
      noLink,
    );
  }

  /**
   * After a release of the pod's users (src/links/linked-users.ts), done or failed half-way:
   * Redis's invalidations of the released links may still be on their way (read-your-writes).
   */
  podUsersReleased(namespace: string, serviceName: string, podId: number): void {
    this.cache.dropPodLinks(namespace, serviceName, podId);
    this.lookup.writtenMany();
  }

  private write<T>(
    namespace: string,
    keys: LinkKeys,
    script: string,
    args: (string | number)[],
    parse: ReplyParser<T>,
    linkAfter: (result: T) => LinkState | null,
  ): Promise<T> {
    const link = keys[0];
    const run = () =>
      this.scripts.run(
        script,
        keys,
        args,
        (reply) => {
          this.lookup.written(link);
          return parse(reply);
        },
        this.writeFailed,
      );
    return this.cache.enabled ? this.cache.write(namespace, link, run, linkAfter) : run();
  }
}

// Reply parsers of the link scripts, made once so that a call allocates no closure for them.
const parseSetLinkReply = (reply: unknown): { previous: number | null; epoch: number } => {
  if (!Array.isArray(reply) || reply.length !== 2) {
    throw new MalformedReplyError(
      'statefulSetLink',
      `expected [previous pod, epoch], got ${String(reply)}`,
    );
  }
  return {
    previous: parseOptionalPodId(reply[0], 'statefulSetLink'),
    epoch: parseEpoch(reply[1], 'statefulSetLink'),
  };
};
const previousPod = (reply: { previous: number | null }) => reply.previous;

const parseClaim = (reply: unknown) => parseFlagPodIdAndEpoch(reply, 'statefulSetLinkIfAbsent');
const claimedPod = (claim: { podId: number }) => claim.podId;

const parseTrySetLinkReply = (reply: unknown) =>
  parseFlagPodIdAndEpoch(reply, 'statefulTrySetLink');
const trySetResult = (reply: { flag: boolean; podId: number }): TrySetLinkResult => ({
  success: reply.flag,
  podId: reply.podId,
});

const parseRemoveReply = (reply: unknown) => parseFlag(reply, 'statefulRemoveLink');
const parseRemoveWithIdReply = (reply: unknown) => parseFlag(reply, 'statefulRemoveLinkWithId');

/** What a refused trySet leaves in Redis, for the link cache. */
const persistentLink = (podId: number, epoch: number): LinkState => ({ podId, pttlMs: -1, epoch });
// After a removal the link is gone, or temporary: the cache forgets it either way.
const noLink = (): null => null;
