import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { StatefulModule } from '../stateful/stateful.module';
import { ApiModule } from './api/api.module';
import type { ServiceConfig } from './config/environment';
import { SERVICE_CONFIG } from './config/service-config.constants';
import { ServiceHealthModule } from './health/service-health.module';
import { MetricsModule } from './metrics/metrics.module';
import { loggerParams } from './logging/service-logger';

/** The standalone service: the library's StatefulModule, imported as any user's app would, behind HTTP. */
@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(config)),
        StatefulModule.forRootAsync({
          isGlobal: true,
          inject: [SERVICE_CONFIG],
          useFactory: (service: ServiceConfig) => ({
            redis: service.redis,
            keyLayout: service.keyLayout,
            keyPrefix: service.keyPrefix,
            podTableTtlMs: service.podTableTtlMs,
            podStatusFormat: service.podStatusFormat,
            cache: service.linkCache,
            durability: service.durability,
          }),
        }),
        ServiceHealthModule.forRoot(config.shutdownDelayMs),
        MetricsModule,
        ApiModule,
      ],
      providers: [{ provide: SERVICE_CONFIG, useValue: config }],
      exports: [SERVICE_CONFIG],
    };
  }
}
