import { Inject, Injectable } from '@nestjs/common';
import { LinkCache } from '../cache/link-cache';
import type { LinkState } from '../cache/link-entries';
import { linkAfterWrite, LinkLookup } from '../cache/link-lookup';
import { resolveDurability } from '../durability/durability-options';
import { writeCommand } from '../durability/write-command';
import { StatefulValidationError } from '../errors';
import { LinkPlacement } from '../links/link-placement';
import {
  DEFAULT_SCAN_COUNT,
  LinkedUsers,
  MAX_SCAN_COUNT,
  type LinkedUsersPage,
} from '../links/linked-users';
import { checkComputeOptions, type PlacementChoice } from '../links/placement-choice';
import { PodStatusStore } from '../pods/pod-status-store';
import { getMany } from '../redis/multi-key-get';
import { runCommand } from '../redis/redis-command';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { LuaScriptRegistry, type ReplyParser } from '../scripts/lua-script-registry';
import { MalformedEntries } from './malformed-entries';
import {
  hashEntries,
  parseFlag,
  parseFlagAndPodId,
  parseOptionalPodId,
  parsePodIdOrUndefined,
} from './reply-parsers';
import { StatefulKeys } from './stateful-keys';
import type { StatefulModuleOptions } from './stateful-module-options';
import { validateKeyPrefix } from './stateful-options.validation';
import {
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOAD_MAX_AGE_MS,
  DEFAULT_POD_TABLE_TTL_MS,
} from './stateful.constants';
import { STATEFUL_MODULE_OPTIONS } from './stateful.module-definition';
import type {
  ComputeLinkOptions,
  ComputeLinkResult,
  PodLoad,
  PodStatusReport,
  TrySetLinkResult,
} from './stateful.types';
import * as check from './stateful-validators';

/**
 * The store's operations (SPEC §3, §6). Every method validates its input before touching Redis,
 * every multi-key change is one Lua script, and every reply is parsed strictly (reads of many
 * entries leave out, and count, an entry that does not parse). Pod states and loads live in
 * src/pods, placement and healing, reverse lookup and release in src/links, the link cache and
 * shared calls in src/cache; this class is the API.
 */
@Injectable()
export class StatefulExecutorService {
  private readonly keys: StatefulKeys;
  private readonly pods: PodStatusStore;
  private readonly placement: LinkPlacement;
  private readonly linkedUsers: LinkedUsers;
  private readonly lookup: LinkLookup;
  /** A failed write may still have happened: calls under way for its link take no new callers. */
  private readonly writeFailed = (_error: unknown, keys: readonly string[]) =>
    this.lookup.written(keys[0]);

  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly scripts: LuaScriptRegistry,
    private readonly malformed: MalformedEntries,
    private readonly cache: LinkCache,
    @Inject(STATEFUL_MODULE_OPTIONS) options: StatefulModuleOptions,
  ) {
    this.keys = new StatefulKeys(validateKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX));
    if (options.durability !== undefined) {
      scripts.confirmWrites(resolveDurability(options.durability));
    }
    this.pods = new PodStatusStore(
      pool,
      scripts,
      this.keys,
      malformed,
      options.podStatusFormat ?? 'split',
      options.podTableTtlMs ?? DEFAULT_POD_TABLE_TTL_MS,
    );
    this.placement = new LinkPlacement(scripts, this.keys, this.pods.table);
    this.linkedUsers = new LinkedUsers(pool, scripts, this.keys);
    this.lookup = new LinkLookup(pool, scripts, this.keys, cache, this.placement);
  }

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

  /** A pod's heartbeat: load and optional state in one script, on the Redis clock (SPEC §6). */
  reportPodStatus(
    namespace: string,
    serviceName: string,
    podId: number,
    report: PodStatusReport,
  ): Promise<void> {
    return this.pods.reportStatus(namespace, serviceName, podId, report);
  }

  getPodLoads(
    namespace: string,
    serviceName: string,
    maxAgeMs: number = DEFAULT_LOAD_MAX_AGE_MS,
  ): Promise<Map<number, PodLoad>> {
    return this.pods.loads(namespace, serviceName, maxAgeMs);
  }

  // ---- Workload state ----

  async setWorkloadState(namespace: string, serviceName: string, state: string): Promise<void> {
    check.assertService(namespace, serviceName);
    check.assertState(state);
    const key = this.keys.workload(namespace, serviceName);
    await writeCommand(this.pool, this.scripts.confirmedWrites, 'SET', key, [state]);
  }

  async getWorkloadState(namespace: string, serviceName: string): Promise<string | null> {
    check.assertService(namespace, serviceName);
    const key = this.keys.workload(namespace, serviceName);
    return runCommand(this.pool, 'GET', (redis) => redis.get(key));
  }

  /** Only services that have a state; works across Cluster slots. */
  async getWorkloadStates(namespace: string, serviceNames: string[]): Promise<Map<string, string>> {
    check.assertNamespace(namespace);
    const services = check.uniqueList<string>(
      serviceNames,
      'serviceNames',
      check.assertServiceName,
    );
    const keys = services.map((service) => this.keys.workload(namespace, service));
    const values = await runCommand(this.pool, 'MGET', (redis) => getMany(redis, keys));
    const states = new Map<string, string>();
    values.forEach((state, index) => {
      if (state !== null) states.set(services[index], state);
    });
    return states;
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
    return this.runLinkScript(
      'statefulSetLink',
      namespace,
      uid,
      serviceName,
      podId,
      persistSeconds,
      parseSetLinkReply,
      () => linkAfterWrite(podId, persistSeconds),
    );
  }

  /** Keeps an existing link's pod (adjusting its persistence), else links; returns the pod linked now. */
  setLinkedPodIfAbsent(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<number> {
    return this.runLinkScript(
      'statefulSetLinkIfAbsent',
      namespace,
      uid,
      serviceName,
      podId,
      persistSeconds,
      parseClaimedPodId,
      (linked) => linkAfterWrite(linked, persistSeconds),
    );
  }

  /** Fails only when a persistent link to another pod exists; otherwise links as setLinkedPod. */
  trySetLinkedPod(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<TrySetLinkResult> {
    return this.runLinkScript(
      'statefulTrySetLink',
      namespace,
      uid,
      serviceName,
      podId,
      persistSeconds,
      parseTrySetLinkReply,
      // Refused only by a persistent link to another pod.
      (result) =>
        result.success ? linkAfterWrite(podId, persistSeconds) : persistentLink(result.podId),
    );
  }

  /** From the link cache when it is on and holds the link (SPEC §7); identical calls share one read. */
  getLinkedPod(namespace: string, uid: string, serviceName: string): Promise<number | null> {
    try {
      checkLink(namespace, uid, serviceName);
    } catch (error) {
      return rejected(error);
    }
    return this.lookup.get(namespace, uid, serviceName);
  }

  /** The pod only if the link is persistent (no TTL). */
  async getLinkedPodIfPersist(
    namespace: string,
    uid: string,
    serviceName: string,
  ): Promise<number | null> {
    checkLink(namespace, uid, serviceName);
    const reply = await this.scripts.run(
      'statefulGetLinkIfPersist',
      [this.keys.link(namespace, uid, serviceName)],
      [],
    );
    return parseOptionalPodId(reply, 'statefulGetLinkIfPersist');
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
    check.assertNamespace(namespace);
    check.assertServiceName(serviceName);
    const unique = check.uniqueList<string>(uids, 'uids', check.assertUid);
    const keys = unique.map((uid) => this.keys.link(namespace, uid, serviceName));
    const values = await runCommand(this.pool, 'MGET', (redis) => getMany(redis, keys));
    const byPod = new Map<number, string[]>();
    values.forEach((value, index) => {
      if (value === null) return;
      const podId = parsePodIdOrUndefined(value);
      if (podId === undefined) {
        this.malformed.note('link', keys[index], `${JSON.stringify(value)} is not a pod id`);
        return;
      }
      const linked = byPod.get(podId);
      if (linked) linked.push(unique[index]);
      else byPod.set(podId, [unique[index]]);
    });
    return byPod;
  }

  /** Unlists the link; `-1` deletes it now, a TTL keeps it that long as a temporary link. True if a link existed. */
  async removeLinkedPod(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
  ): Promise<boolean> {
    checkLink(namespace, uid, serviceName);
    check.assertPersistSeconds(persistSeconds);
    return this.writeLink(
      namespace,
      this.keys.linkAndUserLinks(namespace, uid, serviceName),
      'statefulRemoveLink',
      [serviceName, persistSeconds],
      parseRemoveReply,
      noLink,
    );
  }

  /** removeLinkedPod only if the link points at `podId` (compare-and-remove). */
  async removeLinkedPodWithId(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<boolean> {
    checkLink(namespace, uid, serviceName);
    check.assertPodId(podId);
    check.assertPersistSeconds(persistSeconds);
    return this.writeLink(
      namespace,
      this.keys.linkAndUserLinks(namespace, uid, serviceName),
      'statefulRemoveLinkWithId',
      [serviceName, persistSeconds, podId],
      parseRemoveWithIdReply,
      noLink,
    );
  }

  /** The user's persistent links: service -> pod; an entry that is not a pod id is left out. */
  async getLinkService(namespace: string, uid: string): Promise<Map<string, number>> {
    check.assertNamespace(namespace);
    check.assertUid(uid);
    const key = this.keys.userLinks(namespace, uid);
    const reply = await runCommand(this.pool, 'HGETALL', (redis) => redis.hgetall(key));
    const links = new Map<string, number>();
    for (const [service, value] of hashEntries(reply, key)) {
      const podId = parsePodIdOrUndefined(value);
      if (podId === undefined) {
        this.malformed.note(
          'userLinks',
          key,
          `${service} -> ${JSON.stringify(value)} is not a pod id`,
        );
        continue;
      }
      links.set(service, podId);
    }
    return links;
  }

  /**
   * The user's pod: the linked one, the one it is moved to when its pod is gone (healing, SPEC §6),
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
      checkLink(namespace, uid, serviceName);
      check.assertPersistSeconds(persistSeconds);
      choice = checkComputeOptions(options);
    } catch (error) {
      return rejected(error);
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
    check.assertService(namespace, serviceName);
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
    check.assertService(namespace, serviceName);
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
    options: { persistSeconds?: number; count?: number } = {},
  ): Promise<number> {
    check.assertService(namespace, serviceName);
    check.assertPodId(podId);
    const persistSeconds = options?.persistSeconds ?? -1;
    check.assertPersistSeconds(persistSeconds, 'options.persistSeconds');
    try {
      return await this.linkedUsers.release(
        namespace,
        serviceName,
        podId,
        persistSeconds,
        scanCount(options?.count),
      );
    } finally {
      // Read-your-writes: Redis's invalidations of the released links may still be on their way.
      this.cache.dropPodLinks(namespace, serviceName, podId);
      this.lookup.writtenMany();
    }
  }

  // ---- Internals ----

  /**
   * The three link-writing scripts share keys (link, user hash) and arguments (service, pod,
   * persist). Bad input comes back as a rejection, as from an async method.
   */
  private runLinkScript<T>(
    script: string,
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
    parse: ReplyParser<T>,
    linkAfter: (result: T) => LinkState | null,
  ): Promise<T> {
    try {
      checkLink(namespace, uid, serviceName);
      check.assertPodId(podId);
      check.assertPersistSeconds(persistSeconds);
    } catch (error) {
      return rejected(error);
    }
    return this.writeLink(
      namespace,
      this.keys.linkAndUserLinks(namespace, uid, serviceName),
      script,
      [serviceName, podId, persistSeconds],
      parse,
      linkAfter,
    );
  }

  /**
   * A link-writing script, keeping this process's view coherent: calls under way for the link no
   * longer take new callers once it is answered, and the link cache takes the link as written.
   */
  private writeLink<T>(
    namespace: string,
    keys: [string, string],
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
const parseSetLinkReply = (reply: unknown) => parseOptionalPodId(reply, 'statefulSetLink');

const parseClaimReply = (reply: unknown) => {
  const { flag, podId } = parseFlagAndPodId(reply, 'statefulSetLinkIfAbsent');
  return { podId, created: flag };
};

const parseClaimedPodId = (reply: unknown) => parseClaimReply(reply).podId;

const parseTrySetLinkReply = (reply: unknown): TrySetLinkResult => {
  const { flag, podId } = parseFlagAndPodId(reply, 'statefulTrySetLink');
  return { success: flag, podId };
};

const parseRemoveReply = (reply: unknown) => parseFlag(reply, 'statefulRemoveLink');
const parseRemoveWithIdReply = (reply: unknown) => parseFlag(reply, 'statefulRemoveLinkWithId');

/** What a link write leaves in Redis, for the link cache. */
const persistentLink = (podId: number): LinkState => ({ podId, pttlMs: -1 });
// After a removal the link is gone, or temporary: the cache forgets it either way.
const noLink = (): null => null;

function checkLink(namespace: string, uid: string, serviceName: string): void {
  check.assertNamespace(namespace);
  check.assertUid(uid);
  check.assertServiceName(serviceName);
}

/** SCAN's COUNT: how many keys one step looks at (and the release's batch size). */
function scanCount(count: number | undefined): number {
  if (count === undefined) return DEFAULT_SCAN_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SCAN_COUNT) {
    throw new StatefulValidationError(
      'options.count',
      `must be an integer from 1 to ${MAX_SCAN_COUNT}`,
    );
  }
  return count;
}

/** Bad input thrown by a validator, as the rejection an async method would have returned. */
function rejected(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}
