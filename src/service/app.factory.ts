import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { AppModule } from './app.module';
import { serveLinkRoutesOnFastify } from './api/fastify-link-routes';
import { toHttpError } from './api/http-error';
import { LinkRequests } from './api/link-requests';
import { RouteRequests } from './api/route-requests';
import type { ServiceConfig } from './config/environment';
import { buildOpenApiDocument } from './docs/openapi-document';
import { serveDocs } from './docs/docs.routes';
import { serveConsole } from './console/console.routes';
import { installApiTokenCheck } from './edge/api-token.hook';
import { installBodyAdmission } from './edge/body-admission';
import { installConnectionDraining } from './edge/connection-draining';
import { edgeServerOptions } from './edge/edge-options';
import { installJsonBodyParser } from './edge/json-body.parser';
import { ShutdownState } from './health/shutdown-state';
import { ServiceLogger } from './logging/service-logger';
import { installMetricsHooks } from './metrics/metrics-hooks';
import { MetricsService } from './metrics/metrics.service';
import { RedisWriteBatching } from './redis/redis-write-batching';

/**
 * Builds the service on Fastify (chosen over Express for its lower per-request overhead; the
 * benchmark compares both) with the HTTP edge of docs/http-api.md installed. Not listening yet: `main.ts`
 * listens, tests pick a free port.
 */
export async function createApp(config: ServiceConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    ...edgeServerOptions(config),
    // docs/operations.md allows 256-character uids; percent-encoded 4-byte characters take 12 bytes each.
    routerOptions: { maxParamLength: 4_096 },
    // Nest registers @fastify/middie, whose onRequest hook every request runs, for Nest middleware.
    // The service's only middleware is pino-http's request log, mounted with LOG_REQUESTS alone
    // (app.module.ts): without it there is nothing for middie to run.
    skipMiddie: !config.logRequests,
    // Errors Fastify raises before routing (a bad percent-escape) get the docs/http-api.md shape too.
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      const body = toHttpError(Object.assign(error, { statusCode: 400 }));
      void reply.status(body.statusCode).send(body);
    },
  });
  // bodyParser: false keeps Nest from registering its parsers (form bodies among them).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new ServiceLogger(config),
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  installApiTokenCheck(fastify, config.apiToken);
  installBodyAdmission(fastify, config);
  installJsonBodyParser(fastify);
  installConnectionDraining(fastify, app.get(ShutdownState));
  installMetricsHooks(fastify, app.get(MetricsService));
  const redisWrites = new RedisWriteBatching(app.get(RedisConnectionPool));
  serveLinkRoutesOnFastify(fastify, app.get(LinkRequests), app.get(RouteRequests), () =>
    redisWrites.batchThisTurn(),
  );
  serveDocs(app, buildOpenApiDocument(app));
  if (config.console) serveConsole(fastify);
  return app;
}
