import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { StatefulModule } from '../stateful/stateful.module';
import { ApiModule } from './api/api.module';
import type { ServiceConfig } from './config/environment';
import { SERVICE_CONFIG } from './config/service-config.constants';
import { ServiceHealthModule } from './health/service-health.module';
import { MetricsModule } from './metrics/metrics.module';

const QUIET_ROUTES = /^\/(health\/|metrics)/;

/** Headers whose values never reach a log line. */
export const REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** The standalone service: the library's StatefulModule, imported as any user's app would, behind HTTP. */
@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            redact: {
              paths: REDACTED_HEADERS.map((header) => `req.headers["${header}"]`),
              censor: '[redacted]',
            },
            // Fastify's middleware layer rewrites req.url relative to the mount point; originalUrl is the path asked for.
            autoLogging: {
              ignore: (request) =>
                QUIET_ROUTES.test(
                  (request as { originalUrl?: string }).originalUrl ?? request.url ?? '',
                ),
            },
            quietReqLogger: true,
          },
          // pino-http builds two child loggers per request even when it logs nothing: mount it only
          // when request lines are wanted. Nest's own logs go through pino either way.
          forRoutes: config.logRequests ? undefined : [],
        }),
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
