import { Inject, Injectable } from '@nestjs/common';
import {
  MalformedReplyError,
  NoAvailablePodError,
  StatefulValidationError,
  translateRedisError,
} from '../errors';
import { getMany } from '../redis/multi-key-get';
import { RedisConnectionPool, type RedisClient } from '../redis/redis-connection-pool';
import { LuaScriptRegistry, type ReplyParser } from '../scripts/lua-script-registry';
import { pickLeastLoadedPod, isFresh } from './pod-selection';
import {
  flatHashEntries,
  hashEntries,
  parseFlag,
  parseFlagAndPodId,
  parseInteger,
  parseLoadReport,
  parseOptionalPodId,
  parsePodId,
} from './reply-parsers';
import { StatefulKeys } from './stateful-keys';
import type { StatefulModuleOptions } from './stateful-module-options';
import { validateKeyPrefix } from './stateful-options.validation';
import { DEFAULT_KEY_PREFIX, DEFAULT_LOAD_MAX_AGE_MS } from './stateful.constants';
import { STATEFUL_MODULE_OPTIONS } from './stateful.module-definition';
import type {
  ComputeLinkOptions,
  ComputeLinkResult,
  PodLoad,
  TrySetLinkResult,
} from './stateful.types';
import * as check from './stateful-validators';

/**
 * The store's operations (SPEC §3). Every method validates its input before touching Redis,
 * every multi-key change is one Lua script, and every reply is parsed strictly.
 */
@Injectable()
export class StatefulExecutorService {
  private readonly keys: StatefulKeys;

  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly scripts: LuaScriptRegistry,
    @Inject(STATEFUL_MODULE_OPTIONS) options: StatefulModuleOptions,
  ) {
    this.keys = new StatefulKeys(validateKeyPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX));
  }

  // ---- Pod state and load ----

  async setServiceState(
    namespace: string,
    serviceName: string,
    podId: number,
    state: string,
  ): Promise<void> {
    checkService(namespace, serviceName);
    check.assertPodId(podId);
    check.assertState(state);
    const key = this.keys.podStates(namespace, serviceName);
    await this.command('HSET', (redis) => redis.hset(key, String(podId), state));
  }

  async getServiceState(namespace: string, serviceName: string): Promise<Map<number, string>> {
    checkService(namespace, serviceName);
    const key = this.keys.podStates(namespace, serviceName);
    const reply = await this.command('HGETALL', (redis) => redis.hgetall(key));
    return new Map(
      hashEntries(reply, key).map(([field, state]) => [parsePodId(field, key), state]),
    );
  }

  async getServicePodState(
    namespace: string,
    serviceName: string,
    podId: number,
  ): Promise<string | null> {
    checkService(namespace, serviceName);
    check.assertPodId(podId);
    const key = this.keys.podStates(namespace, serviceName);
    return this.command('HGET', (redis) => redis.hget(key, String(podId)));
  }

  async removeServicePod(namespace: string, serviceName: string, podId: number): Promise<boolean> {
    checkService(namespace, serviceName);
    check.assertPodId(podId);
    const reply = await this.scripts.run(
      'statefulRemoveServicePod',
      [this.keys.podStates(namespace, serviceName), this.keys.podLoads(namespace, serviceName)],
      [podId],
    );
    return parseFlag(reply, 'statefulRemoveServicePod');
  }

  async reportPodLoad(
    namespace: string,
    serviceName: string,
    podId: number,
    load: number,
  ): Promise<void> {
    checkService(namespace, serviceName);
    check.assertPodId(podId);
    check.assertLoad(load);
    await this.scripts.run(
      'statefulReportPodLoad',
      [this.keys.podLoads(namespace, serviceName)],
      [podId, load],
    );
  }

  async getPodLoads(
    namespace: string,
    serviceName: string,
    maxAgeMs: number = DEFAULT_LOAD_MAX_AGE_MS,
  ): Promise<Map<number, PodLoad>> {
    checkService(namespace, serviceName);
    check.assertMaxAgeMs(maxAgeMs);
    const { nowMs, loads } = await this.readPodLoads(namespace, serviceName);
    return new Map([...loads].filter(([, report]) => isFresh(report, nowMs, maxAgeMs)));
  }

  // ---- Workload state ----

  async setWorkloadState(namespace: string, serviceName: string, state: string): Promise<void> {
    checkService(namespace, serviceName);
    check.assertState(state);
    const key = this.keys.workload(namespace, serviceName);
    await this.command('SET', (redis) => redis.set(key, state));
  }

  async getWorkloadState(namespace: string, serviceName: string): Promise<string | null> {
    checkService(namespace, serviceName);
    const key = this.keys.workload(namespace, serviceName);
    return this.command('GET', (redis) => redis.get(key));
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
    const values = await this.command('MGET', (redis) => getMany(redis, keys));
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
    );
  }

  getLinkedPod(namespace: string, uid: string, serviceName: string): Promise<number | null> {
    try {
      checkLink(namespace, uid, serviceName);
    } catch (error) {
      return rejected(error);
    }
    const key = this.keys.link(namespace, uid, serviceName);
    return this.command(
      'GET',
      (redis) => redis.get(key),
      (value) => parseOptionalPodId(value, key),
    );
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

  /** pod id -> the uids linked to it; uids without a link are left out. Works across Cluster slots. */
  async getLinkedPods(
    namespace: string,
    uids: string[],
    serviceName: string,
  ): Promise<Map<number, string[]>> {
    check.assertNamespace(namespace);
    check.assertServiceName(serviceName);
    const unique = check.uniqueList<string>(uids, 'uids', check.assertUid);
    const keys = unique.map((uid) => this.keys.link(namespace, uid, serviceName));
    const values = await this.command('MGET', (redis) => getMany(redis, keys));
    const byPod = new Map<number, string[]>();
    values.forEach((value, index) => {
      if (value === null) return;
      const podId = parsePodId(value, keys[index]);
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
    const reply = await this.scripts.run(
      'statefulRemoveLink',
      this.keys.linkAndUserLinks(namespace, uid, serviceName),
      [serviceName, persistSeconds],
    );
    return parseFlag(reply, 'statefulRemoveLink');
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
    const reply = await this.scripts.run(
      'statefulRemoveLinkWithId',
      this.keys.linkAndUserLinks(namespace, uid, serviceName),
      [serviceName, persistSeconds, podId],
    );
    return parseFlag(reply, 'statefulRemoveLinkWithId');
  }

  /** The user's persistent links: service -> pod. */
  async getLinkService(namespace: string, uid: string): Promise<Map<string, number>> {
    check.assertNamespace(namespace);
    check.assertUid(uid);
    const key = this.keys.userLinks(namespace, uid);
    const reply = await this.command('HGETALL', (redis) => redis.hgetall(key));
    return new Map(
      hashEntries(reply, key).map(([service, podId]) => [
        service,
        parsePodId(podId, `${key} ${service}`),
      ]),
    );
  }

  /**
   * The user's pod, linking the least-loaded eligible pod if there is none. Read-then-claim: the
   * load hash and the user's keys lie in different Cluster slots, so the claim is the atomic
   * if-absent script and a caller that loses the race gets the winner's pod.
   */
  computeLinkedPod(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
    options: ComputeLinkOptions = NO_OPTIONS,
  ): Promise<ComputeLinkResult> {
    let choice: ComputeLinkOptions;
    try {
      checkLink(namespace, uid, serviceName);
      check.assertPersistSeconds(persistSeconds);
      // Read once and checked as read: the caller may reuse the object while the call runs.
      choice = checkComputeOptions(options);
    } catch (error) {
      return rejected(error);
    }
    // Most calls find the link: that path is one script and one promise, like the other link calls.
    return this.scripts.run(
      'statefulComputeLinkIfAbsent',
      this.keys.linkAndUserLinks(namespace, uid, serviceName),
      [serviceName, persistSeconds],
      (reply): ComputeLinkResult | Promise<ComputeLinkResult> => {
        const podId = parseOptionalPodId(reply, 'statefulComputeLinkIfAbsent');
        if (podId !== null) return { podId, created: false };
        return this.linkLeastLoaded(namespace, uid, serviceName, persistSeconds, choice);
      },
    );
  }

  /** computeLinkedPod without a link: picks from the fresh load reports and claims if absent. */
  private async linkLeastLoaded(
    namespace: string,
    uid: string,
    serviceName: string,
    persistSeconds: number,
    choice: ComputeLinkOptions,
  ): Promise<ComputeLinkResult> {
    const { maxAgeMs, maxLoad, excludePods } = podChoice(choice);
    const { nowMs, loads, states } = await this.readPodLoads(namespace, serviceName);
    const candidate = pickLeastLoadedPod({ loads, states, nowMs, maxAgeMs, maxLoad, excludePods });
    if (candidate === null) throw new NoAvailablePodError(namespace, serviceName);
    return this.claim(namespace, uid, serviceName, candidate, persistSeconds);
  }

  // ---- Internals ----

  private claim(
    namespace: string,
    uid: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
  ): Promise<{ podId: number; created: boolean }> {
    return this.runLinkScript(
      'statefulSetLinkIfAbsent',
      namespace,
      uid,
      serviceName,
      podId,
      persistSeconds,
      parseClaimReply,
    );
  }

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
  ): Promise<T> {
    try {
      checkLink(namespace, uid, serviceName);
      check.assertPodId(podId);
      check.assertPersistSeconds(persistSeconds);
    } catch (error) {
      return rejected(error);
    }
    return this.scripts.run(
      script,
      this.keys.linkAndUserLinks(namespace, uid, serviceName),
      [serviceName, podId, persistSeconds],
      parse,
    );
  }

  private async readPodLoads(
    namespace: string,
    serviceName: string,
  ): Promise<{ nowMs: number; loads: Map<number, PodLoad>; states: Map<number, string> }> {
    const stateKey = this.keys.podStates(namespace, serviceName);
    const loadKey = this.keys.podLoads(namespace, serviceName);
    const reply = await this.scripts.run('statefulGetPodLoads', [stateKey, loadKey], []);
    if (!Array.isArray(reply) || reply.length !== 3) {
      throw new MalformedReplyError('statefulGetPodLoads', 'expected { now, loads, states }');
    }
    const loads = flatHashEntries(reply[1], loadKey).map(([field, value]): [number, PodLoad] => [
      parsePodId(field, loadKey),
      parseLoadReport(value, `${loadKey} ${field}`),
    ]);
    const states = flatHashEntries(reply[2], stateKey).map(([field, state]): [number, string] => [
      parsePodId(field, stateKey),
      state,
    ]);
    return {
      nowMs: parseInteger(reply[0], 'statefulGetPodLoads'),
      loads: new Map(loads),
      states: new Map(states),
    };
  }

  /**
   * One plain command on the next pooled client, with ioredis errors turned into typed errors and
   * the reply handed to `parse` in the same `then` (one promise over ioredis', as for scripts).
   */
  private command<T>(name: string, run: (redis: RedisClient) => Promise<T>): Promise<T>;
  private command<T, R>(
    name: string,
    run: (redis: RedisClient) => Promise<T>,
    parse: (value: T) => R,
  ): Promise<R>;
  private command<T, R>(
    name: string,
    run: (redis: RedisClient) => Promise<T>,
    parse?: (value: T) => R,
  ): Promise<T | R> {
    return run(this.pool.next()).then(parse, (error: unknown) => {
      throw translateRedisError(error, name);
    });
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

function checkService(namespace: string, serviceName: string): void {
  check.assertNamespace(namespace);
  check.assertServiceName(serviceName);
}

function checkLink(namespace: string, uid: string, serviceName: string): void {
  check.assertNamespace(namespace);
  check.assertUid(uid);
  check.assertServiceName(serviceName);
}

/** computeLinkedPod's options, checked: which pods may be picked. */
interface PodChoice {
  maxAgeMs: number;
  maxLoad?: number;
  excludePods: ReadonlySet<number>;
}

const NO_OPTIONS: ComputeLinkOptions = Object.freeze({});

/**
 * Refuses bad options before Redis is touched, and returns the values it checked (as given, or
 * undefined where null was given: null means the default, as before). Allocates only when a field
 * is set, for most calls find a link and never use them.
 */
function checkComputeOptions(options: ComputeLinkOptions): ComputeLinkOptions {
  if (options === null || typeof options !== 'object') {
    throw new StatefulValidationError('options', 'must be an object');
  }
  const { maxAgeMs, maxLoad, excludePods } = options;
  if (maxAgeMs != null) check.assertMaxAgeMs(maxAgeMs, 'options.maxAgeMs');
  if (maxLoad !== undefined) check.assertFiniteNumber(maxLoad, 'options.maxLoad');
  if (excludePods != null) {
    check.uniqueList<number>(excludePods, 'options.excludePods', check.assertPodId);
  }
  if (maxAgeMs == null && maxLoad === undefined && excludePods == null) return NO_OPTIONS;
  return {
    maxAgeMs: maxAgeMs ?? undefined,
    maxLoad,
    excludePods: excludePods == null ? undefined : [...excludePods],
  };
}

/** The checked options as the pod picker takes them. */
function podChoice(options: ComputeLinkOptions): PodChoice {
  return {
    maxAgeMs: options.maxAgeMs ?? DEFAULT_LOAD_MAX_AGE_MS,
    maxLoad: options.maxLoad,
    excludePods: new Set(options.excludePods ?? []),
  };
}

/** Bad input thrown by a validator, as the rejection an async method would have returned. */
function rejected(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}
