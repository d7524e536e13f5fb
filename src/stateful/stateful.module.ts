import { type DynamicModule, Module } from '@nestjs/common';
import { LinkCache } from '../cache/link-cache';
import { MalformedEntries } from '../core/malformed-entries';
import { StatefulPodAgent } from '../pods/stateful-pod-agent';
import { RedisModule } from '../redis/redis.module';
import { StatefulExecutorService } from './stateful-executor.service';
import type { StatefulModuleOptions } from './stateful-module-options';
import { validateStatefulModuleOptions } from './stateful-options.validation';
import {
  ConfigurableStatefulModule,
  STATEFUL_ASYNC_OPTIONS_TYPE,
  STATEFUL_MODULE_OPTIONS,
  STATEFUL_OPTIONS_TYPE,
} from './stateful.module-definition';
import { StoreOverview } from '../overview/store-overview';
import { PodStatusStore } from '../pods/pod-status-store';
import { statefulProviders } from './stateful.providers';

/** Holds the resolved options so both RedisModule and the executor can inject them; the factory runs once. */
@Module({})
class StatefulOptionsModule {}

/**
 * `StatefulModule.forRoot({ redis, keyPrefix })` / `forRootAsync({ imports, inject, useFactory })`.
 * Exports StatefulExecutorService and, through RedisModule, the pool, the script registry and the
 * health indicators.
 */
@Module({
  providers: [...statefulProviders, StatefulExecutorService],
  exports: [
    StatefulExecutorService,
    MalformedEntries,
    StatefulPodAgent,
    LinkCache,
    StoreOverview,
    // Not public API: the service's metrics read its pod table.
    PodStatusStore,
  ],
})
export class StatefulModule extends ConfigurableStatefulModule {
  static override forRoot(options: typeof STATEFUL_OPTIONS_TYPE): DynamicModule {
    return StatefulModule.assemble(super.forRoot(options));
  }

  static override forRootAsync(options: typeof STATEFUL_ASYNC_OPTIONS_TYPE): DynamicModule {
    return StatefulModule.assemble(super.forRootAsync(options));
  }

  private static assemble(base: DynamicModule): DynamicModule {
    const optionsModule: DynamicModule = {
      module: StatefulOptionsModule,
      imports: base.imports ?? [],
      providers: base.providers ?? [],
      exports: [STATEFUL_MODULE_OPTIONS],
    };
    const redisModule = RedisModule.forRootAsync({
      imports: [optionsModule],
      inject: [STATEFUL_MODULE_OPTIONS],
      // Every option is checked here, before the pool connects anything.
      useFactory: (options: StatefulModuleOptions) => {
        validateStatefulModuleOptions(options);
        return options.redis;
      },
    });
    return {
      module: StatefulModule,
      global: base.global,
      imports: [optionsModule, redisModule],
      exports: [redisModule],
    };
  }
}
