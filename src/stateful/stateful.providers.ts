import type { Provider } from '@nestjs/common';
import { LinkCache } from '../cache/link-cache';
import { LinkLookup } from '../cache/link-lookup';
import { LinkWrites } from '../cache/link-writes';
import { MalformedEntries } from '../core/malformed-entries';
import { createStatefulKeys, StatefulKeys, validateKeyLayout } from '../core/stateful-keys';
import { DEFAULT_POD_TABLE_TTL_MS } from '../core/stateful.constants';
import { ConfirmedWrites } from '../durability/confirmed-writes';
import { resolveDurability } from '../durability/durability-options';
import { LinkPlacement } from '../links/link-placement';
import { LinkReads } from '../links/link-reads';
import { LinkedUsers } from '../links/linked-users';
import { StoreOverview } from '../overview/store-overview';
import { PodStatusStore } from '../pods/pod-status-store';
import { StatefulPodAgent } from '../pods/stateful-pod-agent';
import { WorkloadStates } from '../pods/workload-states';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { LuaScriptRegistry } from '../scripts/lua-script-registry';
import type { StatefulModuleOptions } from './stateful-module-options';
import { STATEFUL_MODULE_OPTIONS } from './stateful.module-definition';

/**
 * The script registry once StatefulModule's write path is in place: with `durability`, every
 * script that writes goes through ConfirmedWrites. Every room below takes its scripts from this
 * token, so no write can be sent before the path is set.
 */
const STATEFUL_SCRIPTS = Symbol('STATEFUL_SCRIPTS');

const OPTIONS = STATEFUL_MODULE_OPTIONS;
const POOL = RedisConnectionPool;

/**
 * How StatefulModule builds the rooms below it from its options: the pod status store and agent
 * (src/pods), placement, reads and reverse lookup (src/links), the link cache with the calls
 * through it (src/cache), and replicated acknowledgements (src/durability). The rooms know nothing
 * of the module's options: each gets only its own part.
 */
export const statefulProviders: Provider[] = [
  MalformedEntries,
  {
    provide: StatefulKeys,
    inject: [OPTIONS],
    useFactory: (options: StatefulModuleOptions) =>
      createStatefulKeys(validateKeyLayout(options.keyLayout), options.keyPrefix),
  },
  {
    provide: STATEFUL_SCRIPTS,
    inject: [LuaScriptRegistry, POOL, OPTIONS],
    useFactory: (
      scripts: LuaScriptRegistry,
      pool: RedisConnectionPool,
      options: StatefulModuleOptions,
    ) => {
      if (options.durability !== undefined) {
        scripts.sendWritesThrough(new ConfirmedWrites(pool, resolveDurability(options.durability)));
      }
      return scripts;
    },
  },
  {
    provide: PodStatusStore,
    inject: [POOL, STATEFUL_SCRIPTS, StatefulKeys, MalformedEntries, OPTIONS],
    useFactory: (
      pool: RedisConnectionPool,
      scripts: LuaScriptRegistry,
      keys: StatefulKeys,
      malformed: MalformedEntries,
      options: StatefulModuleOptions,
    ) =>
      new PodStatusStore(
        pool,
        scripts,
        keys,
        malformed,
        keys.layout === 'java' ? 'java' : (options.podStatusFormat ?? 'split'),
        options.podTableTtlMs ?? DEFAULT_POD_TABLE_TTL_MS,
      ),
  },
  {
    provide: WorkloadStates,
    inject: [POOL, STATEFUL_SCRIPTS, StatefulKeys],
    useFactory: (pool: RedisConnectionPool, scripts: LuaScriptRegistry, keys: StatefulKeys) =>
      new WorkloadStates(pool, scripts, keys),
  },
  {
    provide: StatefulPodAgent,
    inject: [PodStatusStore, OPTIONS, LinkLookup],
    useFactory: (pods: PodStatusStore, options: StatefulModuleOptions, lookup: LinkLookup) =>
      new StatefulPodAgent(pods, options.pod, (namespace, uid, serviceName, podId, epoch) =>
        lookup.isOwner(namespace, uid, serviceName, podId, epoch),
      ),
  },
  {
    provide: LinkPlacement,
    inject: [STATEFUL_SCRIPTS, StatefulKeys, PodStatusStore],
    useFactory: (scripts: LuaScriptRegistry, keys: StatefulKeys, pods: PodStatusStore) =>
      new LinkPlacement(scripts, keys, pods.table, pods),
  },
  {
    provide: LinkReads,
    inject: [POOL, STATEFUL_SCRIPTS, StatefulKeys, MalformedEntries],
    useFactory: (
      pool: RedisConnectionPool,
      scripts: LuaScriptRegistry,
      keys: StatefulKeys,
      malformed: MalformedEntries,
    ) => new LinkReads(pool, scripts, keys, malformed),
  },
  {
    provide: LinkedUsers,
    inject: [POOL, STATEFUL_SCRIPTS, StatefulKeys],
    useFactory: (pool: RedisConnectionPool, scripts: LuaScriptRegistry, keys: StatefulKeys) =>
      new LinkedUsers(pool, scripts, keys),
  },
  {
    provide: StoreOverview,
    inject: [POOL, StatefulKeys, PodStatusStore, LinkedUsers],
    useFactory: (
      pool: RedisConnectionPool,
      keys: StatefulKeys,
      pods: PodStatusStore,
      linkedUsers: LinkedUsers,
    ) => new StoreOverview(pool, keys, pods, linkedUsers),
  },
  {
    provide: LinkCache,
    inject: [POOL, StatefulKeys, OPTIONS],
    useFactory: (pool: RedisConnectionPool, keys: StatefulKeys, options: StatefulModuleOptions) =>
      new LinkCache(pool, keys, options.cache),
  },
  {
    provide: LinkLookup,
    inject: [POOL, STATEFUL_SCRIPTS, StatefulKeys, LinkCache, LinkPlacement],
    useFactory: (
      pool: RedisConnectionPool,
      scripts: LuaScriptRegistry,
      keys: StatefulKeys,
      cache: LinkCache,
      placement: LinkPlacement,
    ) => new LinkLookup(pool, scripts, keys, cache, placement),
  },
  {
    provide: LinkWrites,
    inject: [STATEFUL_SCRIPTS, StatefulKeys, LinkCache, LinkLookup],
    useFactory: (
      scripts: LuaScriptRegistry,
      keys: StatefulKeys,
      cache: LinkCache,
      lookup: LinkLookup,
    ) => new LinkWrites(scripts, keys, cache, lookup),
  },
];
