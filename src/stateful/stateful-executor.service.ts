import { Inject, Injectable } from '@nestjs/common';
import { LinkLookup } from '../cache/link-lookup';
import { LinkWrites } from '../cache/link-writes';
import type {
  ComputeLinkOptions,
  ComputeLinkResult,
  LinkWithEpoch,
  PodLoad,
  PodStatusReport,
  TrySetLinkResult,
} from '../core/stateful.types';
import { StatefulKeys } from '../core/stateful-keys';
import { traceOperations } from '../tracing/traced-operations';
import { EXECUTOR_OPERATIONS } from './executor-operations';
import { badLinkWrite } from './link-write-checks';
import type { StatefulModuleOptions } from './stateful-module-options';
import { STATEFUL_MODULE_OPTIONS } from './stateful.module-definition';
import * as check from '../core/validators';
import { StatefulValidationError } from '../errors';
import { LinkReads } from '../links/link-reads';
import { LinkedUsers, scanCount, type LinkedUsersPage } from '../links/linked-users';
import { checkComputeOptions, type PlacementChoice } from '../links/placement-choice';
import { PodStatusStore } from '../pods/pod-status-store';
import { WorkloadStates } from '../pods/workload-states';

/**
 * The store's operations (docs/operations.md): the one API class, delegating to the rooms below it. Every
 * method validates its input before touching Redis (pod and workload states check their own, in
 * src/pods; the link methods check here), every multi-key change is one Lua script, and every
 * reply is parsed strictly (reads of many entries leave out, and count, an entry that does not
 * parse). Placement and healing, link reads, reverse lookup and release live in src/links; the
 * link cache, the calls through it and link writes in src/cache.
 */
@Injectable()
export class StatefulExecutorService {
  constructor(
    private readonly pods: PodStatusStore,
    private readonly workloads: WorkloadStates,
    private readonly lookup: LinkLookup,
    private readonly writes: LinkWrites,
    private readonly reads: LinkReads,
    private readonly linkedUsers: LinkedUsers,
    private readonly keys: StatefulKeys,
    @Inject(STATEFUL_MODULE_OPTIONS) options: Pick<StatefulModuleOptions, 'traceUids'>,
  ) {
    this.traceUids = options.traceUids === true;
  }

  /** Whether operation spans carry the uid (`traceUids`; off: a uid is personal data). */
  readonly traceUids: boolean;

  // ---- Pod state and load (src/pods) ----

  setServiceState(
    namespace: string,
    serviceName: string,
    podId: number,
    state: string,
  ): Promise<void> {
    return this.pods.setState(namespace, serviceName, podId, state);
  }

  /** pod id -> state, Java statuses as Ready or Shutdown; an entry that does not parse is left out. */
  getServiceState(namespace: string, serviceName: string): Promise<Map<number, string>> {
    return this.pods.states(namespace, serviceName);
  }

  getServicePodState(
    namespace: string,
    serviceName: string,
    podId: number,
  ): Promise<string | null> {
    return this.pods.state(namespace, serviceName, podId);
  }

  removeServicePod(namespace: string, serviceName: string, podId: number): Promise<boolean> {
    return this.pods.remove(namespace, serviceName, podId);
  }

  reportPodLoad(
    namespace: string,
    serviceName: string,
    podId: number,
    load: number,
  ): Promise<void> {
    return this.pods.reportLoad(namespace, serviceName, podId, load);
  }

  /** A pod's heartbeat: load and optional state in one script, on the Redis clock (docs/operations.md). */
  reportPodStatus(
    namespace: string,
    serviceName: string,
    podId: number,
    report: PodStatusReport,
  ): Promise<void> {
    return this.pods.reportStatus(namespace, serviceName, podId, report);
  }

  /** Fresh load reports: not older than `maxAgeMs` (default 30000; 60000 for Java statuses). */
  getPodLoads(
    namespace: string,
    serviceName: string,
    maxAgeMs?: number,
  ): Promise<Map<number, PodLoad>> {
    return this.pods.loads(namespace, serviceName, maxAgeMs);
  }

  /** pod id -> address (`host:port`) of the service's known pods that reported one; read now. */
  getPodAddresses(namespace: string, serviceName: string): Promise<Map<number, string>> {
    return this.pods.addresses(namespace, serviceName);
  }

  /**
   * The address a pod reported, from the pod table that placement reads (about `podTableTtlMs` old,
   * so no Redis call while it is fresh), or null: a gateway's lookup after computeLinkedPod.
   */
  getPodAddress(namespace: string, serviceName: string, podId: number): Promise<string | null> {
    try {
      this.keys.assertService(namespace, serviceName);
      check.assertPodId(podId);
    } catch (error) {
      return check.rejected(error);
    }
    return this.pods.tableAddress(namespace, serviceName, podId);
  }

  // ---- Workload state ----

  setWorkloadState(namespace: string, serviceName: string, state: string): Promise<void> {
    return this.workloads.set(namespace, serviceName, state);
  }

  getWorkloadState(namespace: string, serviceName: string): Promise<string | null> {
    return this.workloads.get(namespace, serviceName);
  }

  /** Only services that have a state; works across Cluster slots. */
  getWorkloadStates(namespace: string, serviceNames: string[]): Promise<Map<string, string>> {
    return this.workloads.many(namespace, serviceNames);
  }

  // ---- Links ----

  // The link methods below are the hot path: not `async`, so each call costs one promise on top of
  // ioredis' own; their validation errors still come back as rejections.

  /** Links unconditionally; returns the pod linked before, or null. */
  setLinkedPod(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<number | null> {
    const bad = badLinkWrite(this.keys, namespace, uid, serviceName, podId, persistSeconds);
    if (bad) return bad;
    return this.writes.set(namespace, uid, serviceName, podId, persistSeconds);
  }

  /** Keeps an existing link's pod (adjusting its persistence), else links; returns the pod linked now. */
  setLinkedPodIfAbsent(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<number> {
    const bad = badLinkWrite(this.keys, namespace, uid, serviceName, podId, persistSeconds);
    if (bad) return bad;
    return this.writes.setIfAbsent(namespace, uid, serviceName, podId, persistSeconds);
  }

  /** Fails only when a persistent link to another pod exists; otherwise links as setLinkedPod. */
  trySetLinkedPod(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<TrySetLinkResult> {
    const bad = badLinkWrite(this.keys, namespace, uid, serviceName, podId, persistSeconds);
    if (bad) return bad;
    return this.writes.trySet(namespace, uid, serviceName, podId, persistSeconds);
  }

  /** From the link cache when it is on and holds the link (docs/link-cache.md); identical calls share one read. */
  getLinkedPod(namespace: string, uid: string, serviceName: string): Promise<number | null> {
    try {
      this.keys.assertLink(namespace, uid, serviceName);
    } catch (error) {
      return check.rejected(error);
    }
    return this.lookup.get(namespace, uid, serviceName);
  }

  /**
   * The link with its fencing epoch and persistence (docs/operations.md), or null; from the link cache when
   * it holds it. `epoch` is 0 for a link a Go/Java original wrote (none issued yet).
   */
  getLink(namespace: string, uid: string, serviceName: string): Promise<LinkWithEpoch | null> {
    try {
      this.keys.assertLink(namespace, uid, serviceName);
    } catch (error) {
      return check.rejected(error);
    }
    return this.lookup.getLink(namespace, uid, serviceName);
  }

  /**
   * Whether `podId` still holds the user at `epoch`: one Redis call, never the link cache (a fencing
   * check matters most in a process that was paused, whose cache may not have heard of a change yet).
   * A pod checks it before it writes the user's state.
   */
  isLinkOwner(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    epoch: number,
  ): Promise<boolean> {
    try {
      this.keys.assertLink(namespace, uid, serviceName);
      check.assertPodId(podId);
      check.assertEpoch(epoch);
    } catch (error) {
      return check.rejected(error);
    }
    return this.lookup.isOwner(namespace, uid, serviceName, podId, epoch);
  }

  /** The pod only if the link is persistent (no TTL). */
  async getLinkedPodIfPersist(
    namespace: string,
    uid: string,
    serviceName: string,
  ): Promise<number | null> {
    this.keys.assertLink(namespace, uid, serviceName);
    return this.reads.ifPersistent(namespace, uid, serviceName);
  }

  /**
   * pod id -> the uids linked to it; uids without a link, and links whose value is not a pod id,
   * are left out (the latter counted). Works across Cluster slots.
   */
  async getLinkedPods(
    namespace: string,
    uids: string[],
    serviceName: string,
  ): Promise<Map<number, string[]>> {
    this.keys.assertNamespace(namespace);
    check.assertServiceName(serviceName);
    const unique = check.uniqueList<string>(uids, 'uids', (uid, field) =>
      this.keys.assertUid(uid, field),
    );
    return this.reads.byPod(namespace, unique, serviceName);
  }

  /** Unlists the link; `-1` deletes it now, a TTL keeps it that long as a temporary link. True if a link existed. */
  removeLinkedPod(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
  ): Promise<boolean> {
    const bad = badLinkWrite(this.keys, namespace, uid, serviceName, undefined, persistSeconds);
    if (bad) return bad;
    return this.writes.remove(namespace, uid, serviceName, persistSeconds);
  }

  /** removeLinkedPod only if the link points at `podId` (compare-and-remove). */
  removeLinkedPodWithId(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<boolean> {
    const bad = badLinkWrite(this.keys, namespace, uid, serviceName, podId, persistSeconds);
    if (bad) return bad;
    return this.writes.removeWithId(namespace, uid, serviceName, podId, persistSeconds);
  }

  /** The user's persistent links: service -> pod; an entry that is not a pod id is left out. */
  async getLinkService(namespace: string, uid: string): Promise<Map<string, number>> {
    this.keys.assertNamespace(namespace);
    this.keys.assertUid(uid);
    return this.reads.userLinks(namespace, uid);
  }

  /**
   * The user's pod: the linked one, the one it is moved to when its pod is gone (healing, docs/operations.md),
   * or a least-loaded eligible one for a new user. See LinkPlacement.
   */
  computeLinkedPod(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
    options?: ComputeLinkOptions,
  ): Promise<ComputeLinkResult> {
    let choice: PlacementChoice;
    try {
      this.keys.assertLink(namespace, uid, serviceName);
      check.assertPersistSeconds(persistSeconds);
      choice = checkComputeOptions(options);
    } catch (error) {
      return check.rejected(error);
    }
    return this.lookup.compute(namespace, uid, serviceName, persistSeconds, choice);
  }

  // ---- Reverse lookup and release (src/links/linked-users.ts) ----

  /**
   * The uids linked to a pod, by SCAN over every master: a pass over the keyspace, for drains and
   * operators, never for a request path.
   */
  async *scanLinkedUsers(
    namespace: string,
    serviceName: string,
    podId: number,
    options: { count?: number } = {},
  ): AsyncGenerator<string> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    yield* this.linkedUsers.scan(namespace, serviceName, podId, scanCount(options?.count));
  }

  /** One page of scanLinkedUsers, for callers that keep a cursor between requests (the HTTP API). */
  async scanLinkedUsersPage(
    namespace: string,
    serviceName: string,
    podId: number,
    options: { cursor?: string; count?: number } = {},
  ): Promise<LinkedUsersPage> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    return this.linkedUsers.page(
      namespace,
      serviceName,
      podId,
      options?.cursor,
      scanCount(options?.count),
    );
  }

  /**
   * Removes, by compare-and-remove, every link that points at the pod (`-1`: delete; a TTL: keep as
   * a temporary link), in bounded batches; returns how many it released.
   */
  async releasePodUsers(
    namespace: string,
    serviceName: string,
    podId: number,
    options: {
      persistSeconds?: number;
      count?: number;
      /** Called after each batch with the number released so far (a CLI's progress). */
      onProgress?: (released: number) => void;
    } = {},
  ): Promise<number> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    const persistSeconds = options?.persistSeconds ?? -1;
    check.assertPersistSeconds(persistSeconds, 'options.persistSeconds');
    if (options?.onProgress !== undefined && typeof options.onProgress !== 'function') {
      throw new StatefulValidationError('options.onProgress', 'must be a function');
    }
    try {
      return await this.linkedUsers.release(
        namespace,
        serviceName,
        podId,
        persistSeconds,
        scanCount(options?.count),
        options?.onProgress,
      );
    } finally {
      this.writes.podUsersReleased(namespace, serviceName, podId);
    }
  }
}

// Every operation in an OpenTelemetry span (a no-op without an SDK).
traceOperations(StatefulExecutorService.prototype, EXECUTOR_OPERATIONS);
