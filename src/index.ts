// Public entry of the library: everything a host Nest app imports. The standalone service
// (src/service) is not part of it.
export * from './errors';

export { RedisModule } from './redis/redis.module';
export { REDIS_MODULE_OPTIONS } from './redis/redis.module-definition';
export { RedisConnectionPool, type RedisClient } from './redis/redis-connection-pool';
export type {
  RedisModuleOptions,
  RedisClusterConfig,
  RedisSentinelConfig,
  RedisNodeAddress,
} from './redis/redis-module-options';

export { LuaScriptRegistry, type LuaScriptsStatus } from './scripts/lua-script-registry';
export type { LuaScript } from './scripts/lua-script';

export { StatefulModule } from './stateful/stateful.module';
export { STATEFUL_MODULE_OPTIONS } from './stateful/stateful.module-definition';
export { StatefulExecutorService } from './stateful/stateful-executor.service';
export {
  StatefulKeys,
  GoKeyLayout,
  JavaKeyLayout,
  createStatefulKeys,
  type KeyLayout,
} from './core/stateful-keys';
export type { StatefulModuleOptions } from './stateful/stateful-module-options';
export type {
  ComputeLinkOptions,
  ComputeLinkResult,
  LinkWithEpoch,
  PodLoad,
  PodStatusReport,
  TrySetLinkResult,
} from './core/stateful.types';
export {
  DEFAULT_GONE_AFTER_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LOAD_MAX_AGE_MS,
  DEFAULT_POD_TABLE_TTL_MS,
  DRAINING_STATE,
  READY_STATE,
  SHUTDOWN_STATE,
} from './core/stateful.constants';
export { MalformedEntries, type MalformedKeyKind } from './core/malformed-entries';
export { StatefulPodAgent } from './pods/stateful-pod-agent';
export { LinkCache, type LinkCacheStats } from './cache/link-cache';
export { StoreOverview } from './overview/store-overview';
export type { PodOverview, ServiceRef, UserLinkOverview } from './overview/store-overview.types';
export type { LinkCacheOptions } from './cache/link-cache-options';
export type { DurabilityOptions } from './durability/durability-options';
export type { PodAgentOptions } from './pods/pod-agent-options';
export type { PodStatusFormat } from './pods/pod-status-store';
export type { LinkedUsersPage } from './links/linked-users';

export { RedisHealthIndicator } from './health/redis.health-indicator';
export { LuaScriptsHealthIndicator } from './health/lua-scripts.health-indicator';

export { StatefulExceptionFilter } from './http/stateful-exception.filter';
export {
  statefulErrorToHttp,
  httpErrorBody,
  HTTP_STATUS_TEXT,
  type HttpErrorBody,
} from './http/stateful-http-error';
