import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LuaScriptsHealthIndicator } from '../health/lua-scripts.health-indicator';
import { RedisHealthIndicator } from '../health/redis.health-indicator';
import { loadLuaScripts } from '../scripts/lua-script-loader';
import { LuaScriptRegistry } from '../scripts/lua-script-registry';
import { createRedisConnectionPool } from './redis-client.factory';
import { RedisConnectionPool } from './redis-connection-pool';
import type { RedisModuleOptions } from './redis-module-options';
import { ConfigurableRedisModule, REDIS_MODULE_OPTIONS } from './redis.module-definition';

/**
 * The Redis connection pool and the Lua script registry, plus their health indicators.
 * `RedisModule.forRoot(options)` / `RedisModule.forRootAsync({ imports, inject, useFactory })`.
 */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: RedisConnectionPool,
      inject: [REDIS_MODULE_OPTIONS],
      useFactory: (options: RedisModuleOptions) => createRedisConnectionPool(options),
    },
    {
      provide: LuaScriptRegistry,
      inject: [RedisConnectionPool],
      useFactory: (pool: RedisConnectionPool) => new LuaScriptRegistry(pool, loadLuaScripts()),
    },
    RedisHealthIndicator,
    LuaScriptsHealthIndicator,
  ],
  exports: [
    RedisConnectionPool,
    LuaScriptRegistry,
    RedisHealthIndicator,
    LuaScriptsHealthIndicator,
  ],
})
export class RedisModule extends ConfigurableRedisModule implements OnApplicationShutdown {
  constructor(private readonly pool: RedisConnectionPool) {
    super();
  }

  /** Closes the connections this module created (never a client handed in through `client`). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
