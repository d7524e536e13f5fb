import { StatefulValidationError } from '../errors';
import { writeCommand } from '../redis/write-path';
import { runCommand } from '../redis/redis-command';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import type { LuaScriptRegistry } from '../scripts/lua-script-registry';
import type { MalformedEntries } from '../core/malformed-entries';
import { hashEntries, parseFlag, parseInteger, parsePodIdOrUndefined } from '../core/reply-parsers';
import type { StatefulKeys } from '../core/stateful-keys';
import * as check from '../core/validators';
import type { PodLoad, PodStatusReport } from '../core/stateful.types';
import { DEFAULT_JAVA_LOAD_MAX_AGE_MS, DEFAULT_LOAD_MAX_AGE_MS } from '../core/stateful.constants';
import { buildPodSnapshot, type PodSnapshot } from './pod-snapshot';
import { isFresh, parseStateValue, withHeldState, withLoad, type PodRecord } from './pod-status';
import { PodTable } from './pod-table';

/** How pod statuses are written: this project's two hashes, or the Java original's single value. */
export type PodStatusFormat = 'split' | 'java';

/**
 * Pod states and load reports (docs/operations.md, "Pods and their agent"), and the pod
 * table that placement and healing read. Reads of the state hash understand Java statuses and
 * leave out entries that do not parse.
 */
export class PodStatusStore {
  readonly table: PodTable;

  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly scripts: LuaScriptRegistry,
    readonly keys: StatefulKeys,
    private readonly malformed: MalformedEntries,
    private readonly format: PodStatusFormat,
    podTableTtlMs: number,
  ) {
    this.table = new PodTable(podTableTtlMs, (ns, svc) => this.readSnapshot(ns, svc));
  }

  /**
   * Sets a pod's state. In the java format the state hash keeps Java's value (availability 0 for
   * Draining and Shutdown, 1 otherwise) and the state itself is held in the info hash, where Java does
   * not read and the pod's next beat does not overwrite it; `Ready` ends the hold. A pod with no Java
   * status yet only gets the hold, which its first beat applies.
   */
  async setState(
    namespace: string,
    serviceName: string,
    podId: number,
    state: string,
  ): Promise<void> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    check.assertState(state);
    if (this.format === 'java') {
      await this.scripts.run('statefulSetPodState', this.serviceKeys(namespace, serviceName), [
        podId,
        state,
        this.format,
      ]);
      this.table.invalidate(namespace, serviceName);
      return;
    }
    const key = this.keys.podStates(namespace, serviceName);
    await writeCommand(this.pool, this.scripts.writePath, 'HSET', key, [String(podId), state]);
    this.table.patch(namespace, serviceName, podId, (record) => ({ ...record, state }));
  }

  /**
   * pod id -> state; Java statuses read as Ready or Shutdown, or the state held for them; fields that
   * are no pod id, and values Java's parser refuses, left out and counted.
   */
  async states(namespace: string, serviceName: string): Promise<Map<number, string>> {
    this.keys.assertService(namespace, serviceName);
    const key = this.keys.podStates(namespace, serviceName);
    const infoKey = this.keys.podInfo(namespace, serviceName);
    const [reply, info] = await Promise.all([
      runCommand(this.pool, 'HGETALL', (redis) => redis.hgetall(key)),
      runCommand(this.pool, 'HGETALL', (redis) => redis.hgetall(infoKey)),
    ]);
    const states = new Map<number, string>();
    for (const [field, value] of hashEntries(reply, key)) {
      const podId = parsePodIdOrUndefined(field);
      const record = podId === undefined ? undefined : this.parseState(key, field, value);
      if (podId === undefined) {
        this.malformed.note('state', key, `field ${JSON.stringify(field)} is not a pod id`);
      }
      if (record === undefined) continue;
      states.set(podId!, withHeldState(record, heldState(info[`${field}:state`])).state!);
    }
    return states;
  }

  async state(namespace: string, serviceName: string, podId: number): Promise<string | null> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    const key = this.keys.podStates(namespace, serviceName);
    const infoKey = this.keys.podInfo(namespace, serviceName);
    const [value, held] = await Promise.all([
      runCommand(this.pool, 'HGET', (redis) => redis.hget(key, String(podId))),
      runCommand(this.pool, 'HGET', (redis) => redis.hget(infoKey, `${podId}:state`)),
    ]);
    const record = value === null ? undefined : this.parseState(key, String(podId), value);
    return record === undefined ? null : withHeldState(record, heldState(held)).state!;
  }

  /** A state hash value, or undefined (counted) for one Java's parser refuses. */
  private parseState(key: string, field: string, value: string): PodRecord | undefined {
    const record = parseStateValue(value, this.keys.layout === 'java');
    if (record === undefined) {
      this.malformed.note('state', key, `${field} -> ${JSON.stringify(value)}: not a Java status`);
    }
    return record;
  }

  async remove(namespace: string, serviceName: string, podId: number): Promise<boolean> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    const reply = await this.scripts.run(
      'statefulRemoveServicePod',
      this.serviceKeys(namespace, serviceName),
      [podId],
    );
    this.table.patch(namespace, serviceName, podId, () => undefined);
    return parseFlag(reply, 'statefulRemoveServicePod');
  }

  /**
   * A load report. In the java format it is a Java status (a beat without a state), the only load
   * Java reads; else `<load>:<unixMillis>` in the load hash.
   */
  async reportLoad(
    namespace: string,
    serviceName: string,
    podId: number,
    load: number,
  ): Promise<void> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    check.assertLoad(load);
    if (this.format === 'java') {
      assertJavaLoad(load, 'load');
      await this.beat(namespace, serviceName, podId, { load });
      return;
    }
    const nowMs = await this.scripts.run(
      'statefulReportPodLoad',
      [this.keys.podLoads(namespace, serviceName)],
      [podId, load],
      (reply) => parseInteger(reply, 'statefulReportPodLoad'),
    );
    this.table.patch(namespace, serviceName, podId, (record) =>
      withLoad(record, { load, updatedAt: nowMs }),
    );
  }

  /** The pod's heartbeat: load, and state when given, in one script on the Redis clock. */
  async reportStatus(
    namespace: string,
    serviceName: string,
    podId: number,
    report: PodStatusReport,
  ): Promise<void> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    if (report === null || typeof report !== 'object') {
      throw new StatefulValidationError(
        'report',
        'must be an object { load, state?, address?, everyMs? }',
      );
    }
    const { load, state, address, everyMs } = report;
    check.assertLoad(load, 'report.load');
    if (state !== undefined) check.assertState(state, 'report.state');
    if (address !== undefined) check.assertAddress(address, 'report.address');
    if (everyMs !== undefined) check.assertPeriodMs(everyMs, 'report.everyMs');
    if (this.format === 'java') assertJavaLoad(load, 'report.load');
    await this.beat(namespace, serviceName, podId, report);
  }

  /** Writes a checked report with statefulReportPodStatus and updates the pod table. */
  private async beat(
    namespace: string,
    serviceName: string,
    podId: number,
    report: PodStatusReport,
  ): Promise<void> {
    const { load, state, address, everyMs } = report;
    const nowMs = await this.scripts.run(
      'statefulReportPodStatus',
      this.serviceKeys(namespace, serviceName),
      [
        podId,
        this.format === 'java' ? Math.round(load) : load,
        state ?? '',
        this.format,
        address ?? '',
        everyMs ?? '',
      ],
      (reply) => parseInteger(reply, 'statefulReportPodStatus'),
    );
    if (this.format === 'java') {
      this.table.invalidate(namespace, serviceName);
    } else {
      this.table.patch(namespace, serviceName, podId, (record) => {
        const updated = withLoad(record, { load, updatedAt: nowMs });
        return {
          ...updated,
          ...(state !== undefined && { state }),
          ...(address !== undefined && { address }),
          ...(everyMs !== undefined && { everyMs }),
        };
      });
    }
  }

  /**
   * Fresh load reports, from both formats; read now, not from the pod table. Without `maxAgeMs`,
   * 30000 ms, and 60000 for Java statuses (two of the Java original's beats).
   */
  async loads(
    namespace: string,
    serviceName: string,
    maxAgeMs?: number,
  ): Promise<Map<number, PodLoad>> {
    this.keys.assertService(namespace, serviceName);
    if (maxAgeMs !== undefined) check.assertMaxAgeMs(maxAgeMs);
    const snapshot = await this.readSnapshot(namespace, serviceName);
    const loads = new Map<number, PodLoad>();
    for (const [podId, record] of snapshot.pods) {
      const window =
        maxAgeMs ?? (record.java ? DEFAULT_JAVA_LOAD_MAX_AGE_MS : DEFAULT_LOAD_MAX_AGE_MS);
      if (record.load && isFresh(record.load, snapshot.redisNowMs, window))
        loads.set(podId, record.load);
    }
    return loads;
  }

  /**
   * pod id -> address (`host:port`) of the known pods (a state or a load report) that reported one;
   * read now, in the snapshot placement reads, so it lists what the route would answer.
   */
  async addresses(namespace: string, serviceName: string): Promise<Map<number, string>> {
    this.keys.assertService(namespace, serviceName);
    const snapshot = await this.readSnapshot(namespace, serviceName);
    const addresses = new Map<number, string>();
    for (const [podId, record] of snapshot.pods) {
      if (record.address !== undefined) addresses.set(podId, record.address);
    }
    return addresses;
  }

  /**
   * A pod's address from the pod table (about `podTableTtlMs` old, up to twice that during a
   * refresh; no Redis call while it is fresh), or null: the route's lookup after placement, which has just read the same table. Not
   * `async`: on the hot path a fresh table answers with one resolved promise.
   */
  tableAddress(namespace: string, serviceName: string, podId: number): Promise<string | null> {
    const snapshot = this.table.peek(namespace, serviceName);
    if (snapshot !== undefined) return Promise.resolve(addressIn(snapshot, podId));
    return this.table.get(namespace, serviceName).then((read) => addressIn(read, podId));
  }

  /**
   * Placement accounting (docs/operations.md). A placement about to be written counts in this process's pod
   * table at once (`reservePlacement`), so that the calls under way beside it see it; once written
   * it counts in Redis for every gateway until the pod's next load report (`countPlacement`), else
   * it is taken back (`cancelPlacement`). The Redis count is not awaited: the link is written
   * whatever becomes of it, and a lost count only makes the pod look less loaded until its report.
   */
  reservePlacement(namespace: string, serviceName: string, podId: number): number | undefined {
    return this.table.adjust(namespace, serviceName, podId, (record) => ({
      ...record,
      placed: (record.placed ?? 0) + 1,
    }));
  }

  /** Takes back a reservation, from the read it was made in (`reservePlacement`'s answer) only. */
  cancelPlacement(
    namespace: string,
    serviceName: string,
    podId: number,
    reservedIn: number | undefined,
  ): void {
    if (reservedIn === undefined) return;
    this.table.adjust(
      namespace,
      serviceName,
      podId,
      (record) => ({ ...record, placed: Math.max(0, (record.placed ?? 0) - 1) }),
      reservedIn,
    );
  }

  countPlacement(namespace: string, serviceName: string, podId: number): void {
    this.scripts
      .run('statefulCountPlacement', this.serviceKeys(namespace, serviceName), [podId])
      .catch(noop);
  }

  /** One consistent read of a service's states, loads and what this project keeps of its pods. */
  async readSnapshot(namespace: string, serviceName: string): Promise<PodSnapshot> {
    const keys = this.serviceKeys(namespace, serviceName);
    const startedAt = performance.now();
    const reply = await this.scripts.run('statefulGetPodLoads', keys, []);
    return buildPodSnapshot(reply, keys, this.malformed, startedAt, this.keys.layout === 'java');
  }

  /** The service's state, load and info keys, in the order the pod scripts take them. */
  private serviceKeys(namespace: string, serviceName: string): [string, string, string] {
    return [
      this.keys.podStates(namespace, serviceName),
      this.keys.podLoads(namespace, serviceName),
      this.keys.podInfo(namespace, serviceName),
    ];
  }
}

const noop = () => undefined;

function addressIn(snapshot: PodSnapshot, podId: number): string | null {
  return snapshot.pods.get(podId)?.address ?? null;
}

/** Java reads the load with Integer.valueOf: a larger one would make its reader fail. */
function assertJavaLoad(load: number, field: string): void {
  if (Math.round(load) > 2_147_483_647) {
    throw new StatefulValidationError(
      field,
      'must be at most 2147483647 in the java pod status format',
    );
  }
}

/** A held state as read from the info hash: one that is not a valid state is ignored. */
function heldState(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && check.isState(value) ? value : undefined;
}
