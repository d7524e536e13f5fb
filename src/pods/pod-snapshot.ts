import { MalformedReplyError } from '../errors';
import type { MalformedEntries } from '../core/malformed-entries';
import { flatHashEntries, parseInteger, parsePodIdOrUndefined } from '../core/reply-parsers';
import { isAddress, MAX_PERIOD_MS } from '../core/validators';
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

  /** How long ago it was read: reports made since are not in it. */
  ageMs(): number {
    return Date.now() - this.readAt;
  }
}

/**
 * The reply of `statefulGetPodLoads` (`{ now, load hash, state hash, address hash }`) as a
 * snapshot. Entries that do not parse are left out and counted; Java statuses in the state hash
 * count as load reports.
 */
export function buildPodSnapshot(
  reply: unknown,
  stateKey: string,
  loadKey: string,
  addressKey: string,
  periodKey: string,
  malformed: MalformedEntries,
  startedAt: number,
): PodSnapshot {
  if (!Array.isArray(reply) || reply.length !== 5) {
    throw new MalformedReplyError(
      'statefulGetPodLoads',
      'expected { now, loads, states, addresses, periods }',
    );
  }
  const pods = new Map<number, PodRecord>();
  for (const [field, value] of flatHashEntries(reply[2], stateKey)) {
    const podId = parsePodIdOrUndefined(field);
    if (podId === undefined) {
      malformed.note('state', stateKey, `field ${JSON.stringify(field)} is not a pod id`);
      continue;
    }
    pods.set(podId, parseStateValue(value));
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
  for (const [podId, address] of parseAddresses(reply[3], addressKey, malformed)) {
    // An address alone does not make a pod known (a removed pod stays removed).
    const record = pods.get(podId);
    if (record !== undefined) pods.set(podId, { ...record, address });
  }
  for (const [field, value] of flatHashEntries(reply[4], periodKey)) {
    const podId = parsePodIdOrUndefined(field);
    const everyMs = /^[1-9][0-9]{2,6}$/.test(value) ? Number(value) : undefined;
    if (podId === undefined || everyMs === undefined || everyMs > MAX_PERIOD_MS) {
      malformed.note(
        'period',
        periodKey,
        `${JSON.stringify(field)} -> ${JSON.stringify(value)} is not <pod id> -> <period in ms>`,
      );
      continue;
    }
    const record = pods.get(podId);
    if (record !== undefined) pods.set(podId, { ...record, everyMs });
  }
  return new PodSnapshot(parseInteger(reply[0], 'statefulGetPodLoads'), pods, startedAt);
}

/** An address hash (`HGETALL` as a flat array) as pod id -> address; bad entries left out, counted. */
function parseAddresses(
  raw: unknown,
  addressKey: string,
  malformed: MalformedEntries,
): Map<number, string> {
  const addresses = new Map<number, string>();
  for (const [field, value] of flatHashEntries(raw, addressKey)) {
    const podId = parsePodIdOrUndefined(field);
    if (podId === undefined || !isAddress(value)) {
      malformed.note(
        'address',
        addressKey,
        `${JSON.stringify(field)} -> ${JSON.stringify(value)} is not <pod id> -> <host:port>`,
      );
      continue;
    }
    addresses.set(podId, value);
  }
  return addresses;
}
