import { NoAvailablePodError } from '../errors';
import type { PodSnapshot } from '../pods/pod-snapshot';
import { explainNoPod, pickPod, type PodSelectionInput } from '../pods/pod-selection';
import { isGone } from '../pods/pod-status';
import type { PodTable } from '../pods/pod-table';
import type { LuaScriptRegistry } from '../scripts/lua-script-registry';
import { parseFlagPodIdAndEpoch, parseOptionalPodIdAndEpoch } from '../core/reply-parsers';
import type { LinkKeys, StatefulKeys } from '../core/stateful-keys';
import type { ComputeLinkResult } from '../core/stateful.types';
import type { PlacementChoice } from './placement-choice';

/** Where placements are counted, here at once and for every gateway once written (PodStatusStore). */
export interface PlacementCounter {
  /** Returns the table read it counted in, if any, for cancelPlacement. */
  reservePlacement(namespace: string, serviceName: string, podId: number): number | undefined;
  cancelPlacement(
    namespace: string,
    serviceName: string,
    podId: number,
    reservedIn: number | undefined,
  ): void;
  countPlacement(namespace: string, serviceName: string, podId: number): void;
}

/** What computeLinkedPod did to a link, for the calls sharing it (src/cache/link-lookup.ts). */
export interface PlacementObserver {
  /** The compute script answered, or the call failed: later callers must not join it. */
  replied(link: string): void;
  /** A claim or a move wrote the link. */
  wrote(link: string): void;
}

/**
 * computeLinkedPod (docs/operations.md): keep an existing link, heal one whose pod is gone, or place a new
 * user. Read-then-claim: the pod table and the user's keys lie in different Cluster slots, so every
 * write is a single-slot script that decides atomically (claim if absent, move if still on the
 * gone pod), and a caller that loses a race gets the winner's pod.
 */
export class LinkPlacement {
  constructor(
    private readonly scripts: LuaScriptRegistry,
    private readonly keys: StatefulKeys,
    private readonly table: PodTable,
    private readonly placements: PlacementCounter,
  ) {}

  /** Told about compute's steps, so that calls sharing one know when it replied or wrote. */
  observer?: PlacementObserver;

  // Made once: the hot path allocates no error callback per call.
  private readonly computeFailed = (_error: unknown, keys: readonly string[]) =>
    this.observer?.replied(keys[0]);

  /**
   * Arguments are checked by the caller; `keys` are the user's `[link, userLinks]`. The common path
   * is one script and one table lookup.
   */
  compute(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
    choice: PlacementChoice,
    keys: LinkKeys = this.keys.linkKeys(namespace, uid, serviceName),
  ): Promise<ComputeLinkResult> {
    return this.scripts.run(
      'statefulComputeLinkIfAbsent',
      keys,
      [serviceName, persistSeconds],
      (reply): ComputeLinkResult | Promise<ComputeLinkResult> => {
        this.observer?.replied(keys[0]);
        const link = parseOptionalPodIdAndEpoch(reply, 'statefulComputeLinkIfAbsent');
        if (link === null) {
          return this.placeNewUser(namespace, uid, serviceName, persistSeconds, choice);
        }
        const { podId, epoch } = link;
        // The common case answers from the cached table without another promise.
        if (!choice.heal || this.keepsPod(namespace, serviceName, podId, choice)) {
          return { podId, created: false, epoch };
        }
        return this.checkAndHeal(namespace, uid, serviceName, podId, epoch, persistSeconds, choice);
      },
      this.computeFailed,
    );
  }

  /** True if the pod table, as cached, says the linked pod is not gone (no Redis call). */
  keepsPod(
    namespace: string,
    serviceName: string,
    podId: number,
    choice: PlacementChoice,
  ): boolean {
    const cached = this.table.peek(namespace, serviceName);
    return cached !== undefined && !goneIn(cached, podId, choice);
  }

  private async placeNewUser(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
    choice: PlacementChoice,
  ): Promise<ComputeLinkResult> {
    const snapshot = await this.table.get(namespace, serviceName);
    const candidate = this.pick(namespace, serviceName, snapshot, choice, choice.excludePods);
    if (candidate === null) {
      const reason = explainNoPod(
        this.selection(namespace, serviceName, snapshot, choice, choice.excludePods),
      );
      throw new NoAvailablePodError(namespace, serviceName, reason);
    }
    const keys = this.keys.linkKeys(namespace, uid, serviceName);
    const placed = this.reserve(namespace, serviceName, candidate, choice);
    const { flag, podId, epoch } = await this.scripts
      .run('statefulSetLinkIfAbsent', keys, [serviceName, candidate, persistSeconds], parseClaim)
      .then(
        (claim) => {
          placed.settle(claim.flag);
          return claim;
        },
        (error: unknown) => {
          placed.settle(false);
          throw error;
        },
      );
    this.observer?.wrote(keys[0]);
    return { podId, created: flag, epoch };
  }

  /** The pod table had no fresh copy, or it says the linked pod is gone: read it and decide. */
  private async checkAndHeal(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    epoch: number,
    persistSeconds: number,
    choice: PlacementChoice,
  ): Promise<ComputeLinkResult> {
    // Any time from here on is after the link was seen, which is all that heal() needs.
    const linkSeenAt = performance.now();
    let snapshot: PodSnapshot;
    try {
      snapshot = await this.table.get(namespace, serviceName);
    } catch {
      // The user has a link: an unreadable pod table (an outage, a key of the wrong type) must not
      // fail the call; healing waits for the next one.
      return { podId, created: false, epoch };
    }
    if (!goneIn(snapshot, podId, choice)) {
      return { podId, created: false, epoch };
    }
    return this.heal(
      namespace,
      uid,
      serviceName,
      podId,
      epoch,
      persistSeconds,
      choice,
      snapshot,
      linkSeenAt,
    );
  }

  /**
   * Healing. A pod the cached table does not know at all may have started after the table was
   * read (its users linked by a gateway with a newer table): that is confirmed on a read started
   * after the link was seen, shared by the callers that need one. A pod the table knows as gone
   * (Shutdown, or silent too long) is taken at its word, like any table data up to podTableTtlMs
   * old. The user then moves to a pod picked as for a new user, by compare-and-set.
   */
  private async heal(
    namespace: string,
    uid: string,
    serviceName: string,
    gonePod: number,
    goneEpoch: number,
    persistSeconds: number,
    choice: PlacementChoice,
    cached: PodSnapshot,
    linkSeenAt: number,
  ): Promise<ComputeLinkResult> {
    let snapshot = cached;
    if (!cached.pods.has(gonePod) && cached.startedAt < linkSeenAt) {
      snapshot = await this.table.confirm(namespace, serviceName, linkSeenAt);
      if (!goneIn(snapshot, gonePod, choice)) {
        return { podId: gonePod, created: false, epoch: goneEpoch };
      }
    }
    const exclude = new Set([...choice.excludePods, gonePod]);
    const candidate = this.pick(namespace, serviceName, snapshot, choice, exclude);
    // No other pod to go to: the link stays as it is (the pod may come back).
    if (candidate === null) return { podId: gonePod, created: false, epoch: goneEpoch };
    const keys = this.keys.linkKeys(namespace, uid, serviceName);
    const placed = this.reserve(namespace, serviceName, candidate, choice);
    const move = await this.scripts
      .run('statefulMoveLink', keys, [serviceName, gonePod, candidate, persistSeconds], parseMove)
      .then(
        (moved) => {
          placed.settle(moved?.flag === true);
          return moved;
        },
        (error: unknown) => {
          // The move may have been written (a write not confirmed by replicas): then no call says
          // movedFrom, and the placement is not counted. At most once, never twice.
          placed.settle(false);
          throw error;
        },
      );
    this.observer?.wrote(keys[0]);
    // The link was removed meanwhile (released, say): nothing was written; place the user anew.
    if (move === null)
      return this.placeNewUser(namespace, uid, serviceName, persistSeconds, choice);
    // Only the call whose compare-and-set moved the user says so: an app that hands the user's
    // state over on movedFrom does it once, whatever the number of gateways in the race.
    const { flag, podId, epoch } = move;
    return flag
      ? { podId, created: false, epoch, movedFrom: gonePod }
      : { podId, created: false, epoch };
  }

  /**
   * A placement about to be written counts on the pod at once in this process (calls under way
   * beside it pick with it); `settle(true)` once it was written counts it for every gateway,
   * `settle(false)` takes it back. Nothing with `loadPerUser: 0`.
   */
  private reserve(
    namespace: string,
    serviceName: string,
    podId: number,
    choice: PlacementChoice,
  ): { settle(written: boolean): void } {
    if (choice.loadPerUser <= 0) return NOT_COUNTED;
    const reservedIn = this.placements.reservePlacement(namespace, serviceName, podId);
    return {
      settle: (written) =>
        written
          ? this.placements.countPlacement(namespace, serviceName, podId)
          : this.placements.cancelPlacement(namespace, serviceName, podId, reservedIn),
    };
  }

  /**
   * The pod for a placement, from `read` or, when the table holds the same read with this
   * process's placements since applied to it, from that: calls that awaited one read together
   * each see the placements of those that picked before them.
   */
  private pick(
    namespace: string,
    serviceName: string,
    read: PodSnapshot,
    choice: PlacementChoice,
    excludePods: ReadonlySet<number>,
  ): number | null {
    return pickPod(this.selection(namespace, serviceName, read, choice, excludePods));
  }

  /** What pickPod decides on: the newest of the read and the table's copy, with the choice. */
  private selection(
    namespace: string,
    serviceName: string,
    read: PodSnapshot,
    choice: PlacementChoice,
    excludePods: ReadonlySet<number>,
  ): PodSelectionInput {
    const cached = this.table.peek(namespace, serviceName);
    const snapshot = cached !== undefined && cached.readAt >= read.readAt ? cached : read;
    const { nowMs, ageMs: tableAgeMs } = snapshot.clock();
    return {
      pods: snapshot.pods,
      nowMs,
      maxAgeMs: choice.maxAgeMs,
      javaMaxAgeMs: choice.javaMaxAgeMs,
      maxLoad: choice.maxLoad,
      excludePods,
      loadTolerance: choice.loadTolerance,
      // A gone pod is never picked, even when the rule that makes it gone is below maxAgeMs.
      gone: (record) => isGone(record, nowMs, choice, tableAgeMs),
      loadPerUser: choice.loadPerUser,
    };
  }
}

const NOT_COUNTED = { settle: () => undefined };

const parseClaim = (reply: unknown) => parseFlagPodIdAndEpoch(reply, 'statefulSetLinkIfAbsent');

/** The move's reply, or null when the link was gone (removed meanwhile): nothing was written. */
const parseMove = (reply: unknown) =>
  Array.isArray(reply) && reply.length === 2 && reply[0] === 0 && reply[1] === null
    ? null
    : parseFlagPodIdAndEpoch(reply, 'statefulMoveLink');

/** Whether the snapshot says the pod is gone, by the call's rule (docs/operations.md). */
function goneIn(snapshot: PodSnapshot, podId: number, choice: PlacementChoice): boolean {
  const { nowMs, ageMs } = snapshot.clock();
  return isGone(snapshot.pods.get(podId), nowMs, choice, ageMs);
}
