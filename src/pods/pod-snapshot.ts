import { MalformedReplyError } from '../errors';
import type { MalformedEntries } from '../core/malformed-entries';
import { flatHashEntries, parseInteger, parsePodIdOrUndefined } from '../core/reply-parsers';
import { parsePodInfo, withInfo } from './pod-info';
import { parseLoadValue, parseStateValue, withLoad, type PodRecord } from './pod-status';

/** A service's pods as read in one script call, with the Redis clock of that moment. */
export class PodSnapshot {
  constructor(
    /** The Redis server's clock when the snapshot was read (unix ms). */
    readonly redisNowMs: number,
    readonly pods: ReadonlyMap<number, PodRecord>,
    /** When its read was sent (performance.now()): it reflects every write made before. */
    readonly startedAt: number = performance.now(),
    /** When it was read, on this process' clock: `now()` moves the Redis clock on by the time since. */
    readonly readAt: number = Date.now(),
  ) {}

  /** The same snapshot with other pods: a write through this process applied to a cached copy. */
  withPods(pods: ReadonlyMap<number, PodRecord>): PodSnapshot {
    return new PodSnapshot(this.redisNowMs, pods, this.startedAt, this.readAt);
  }

  /** The Redis clock now, estimated: a cached snapshot judges freshness at the current time. */
  now(): number {
    return this.redisNowMs + (Date.now() - this.readAt);
  }

  /**
   * The Redis clock now (as `now()`) and how long ago the snapshot was read (reports made since
   * are not in it), from one reading of this process's clock: what a gone check needs.
   */
  clock(): { nowMs: number; ageMs: number } {
    const ageMs = Date.now() - this.readAt;
    return { nowMs: this.redisNowMs + ageMs, ageMs };
  }
}

/**
 * The reply of `statefulGetPodLoads` (`{ now, load hash, state hash, info hash }`) as a snapshot.
 * Entries that do not parse are left out and counted; Java statuses in the state hash count as
 * load reports (`javaOnly`, in the java key layout: nothing else); the info hash adds what this
 * project keeps of known pods (pod-info.ts).
 */
export function buildPodSnapshot(
  reply: unknown,
  [stateKey, loadKey, infoKey]: readonly [string, string, string],
  malformed: MalformedEntries,
  startedAt: number,
  javaOnly = false,
): PodSnapshot {
  if (!Array.isArray(reply) || reply.length !== 4) {
    throw new MalformedReplyError('statefulGetPodLoads', 'expected { now, loads, states, info }');
  }
  const pods = new Map<number, PodRecord>();
  for (const [field, value] of flatHashEntries(reply[2], stateKey)) {
    const podId = parsePodIdOrUndefined(field);
    if (podId === undefined) {
      malformed.note('state', stateKey, `field ${JSON.stringify(field)} is not a pod id`);
      continue;
    }
    const record = parseStateValue(value, javaOnly);
    if (record === undefined) {
      malformed.note('state', stateKey, `${field} -> ${JSON.stringify(value)}: not a Java status`);
      continue;
    }
    pods.set(podId, record);
  }
  for (const [field, value] of flatHashEntries(reply[1], loadKey)) {
    const podId = parsePodIdOrUndefined(field);
    const load = parseLoadValue(value);
    if (podId === undefined || load === undefined) {
      malformed.note(
        'load',
        loadKey,
        `${JSON.stringify(field)} -> ${JSON.stringify(value)} is not <pod id> -> <load>:<unixMillis>`,
      );
      continue;
    }
    pods.set(podId, withLoad(pods.get(podId), load));
  }
  for (const [podId, info] of parsePodInfo(reply[3], infoKey, malformed)) {
    // What this project keeps of a pod does not make it known (a removed pod stays removed).
    const record = pods.get(podId);
    if (record !== undefined) pods.set(podId, withInfo(record, info));
  }
  return new PodSnapshot(parseInteger(reply[0], 'statefulGetPodLoads'), pods, startedAt);
}
