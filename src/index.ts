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
export { StatefulKeys } from './stateful/stateful-keys';
export type { StatefulModuleOptions } from './stateful/stateful-module-options';
export type {
  ComputeLinkOptions,
  ComputeLinkResult,
  PodLoad,
  TrySetLinkResult,
} from './stateful/stateful.types';
export { DEFAULT_KEY_PREFIX, DRAINING_STATE } from './stateful/stateful.constants';

export { RedisHealthIndicator } from './health/redis.health-indicator';
export { LuaScriptsHealthIndicator } from './health/lua-scripts.health-indicator';

export { StatefulExceptionFilter } from './http/stateful-exception.filter';
export {
  statefulErrorToHttp,
  httpErrorBody,
  HTTP_STATUS_TEXT,
  type HttpErrorBody,
} from './http/stateful-http-error';
