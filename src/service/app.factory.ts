import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { AppModule } from './app.module';
import { serveLinkRoutesOnFastify } from './api/fastify-link-routes';
import { toHttpError } from './api/http-error';
import { LinkRequests } from './api/link-requests';
import { RouteRequests } from './api/route-requests';
import { readServiceTokens, type ServiceConfig } from './config/environment';
import { Access } from './edge/access/access';
import { type Stats, unwatchFile, watchFile } from 'fs';
import { Logger } from '@nestjs/common';
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
 * Who may call what: API_TOKEN (admin) and API_TOKENS_FILE's scoped tokens, the file read again on
 * SIGHUP or when it changes (a mounted Secret updates in place); a bad file keeps the tokens in force
 * and logs why. Undefined without either: no token is asked for.
 */
function access(app: NestFastifyApplication, config: ServiceConfig): Access | undefined {
  const file = config.apiTokensFile;
  if (config.apiToken === undefined && file === undefined) return undefined;
  const access = new Access(config.apiToken, file?.grants);
  if (file === undefined) return access;
  const logger = new Logger('Access');
  const reload = (why: string) => {
    try {
      access.replace(readServiceTokens(file.path, config));
      logger.log(`API_TOKENS_FILE read again (${why})`);
    } catch (error) {
      logger.warn(
        `API_TOKENS_FILE not read again (${why}), the previous tokens stay: ${(error as Error).message}`,
      );
    }
  };
  const onHangUp = () => reload('SIGHUP');
  process.on('SIGHUP', onHangUp);
  const onChange = (now: Stats, before: Stats) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino) reload('the file changed');
  };
  watchFile(file.path, { interval: 1_000, persistent: false }, onChange);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onClose', (_instance, done) => {
      process.off('SIGHUP', onHangUp);
      unwatchFile(file.path, onChange);
      done();
    });
  return access;
}

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
  installApiTokenCheck(fastify, access(app, config));
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
