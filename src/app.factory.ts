import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { ServiceConfig } from './config/environment';
import { toHttpError } from './http/http-error';
import { installMetricsHooks } from './metrics/metrics-hooks';
import { MetricsService } from './metrics/metrics.service';

/**
 * Builds the service on Fastify (chosen over Express for its lower per-request overhead; the
 * benchmark compares both). Not listening yet: `main.ts` listens, tests pick a free port.
 */
export async function createApp(config: ServiceConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // SPEC §2 allows 256-character uids; percent-encoded 4-byte characters take 12 bytes each.
    routerOptions: { maxParamLength: 4_096 },
    // Errors Fastify raises before routing (a bad percent-escape) get the SPEC §5 shape too.
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      const body = toHttpError(Object.assign(error, { statusCode: 400 }));
      void reply.status(body.statusCode).send(body);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  installMetricsHooks(app.getHttpAdapter().getInstance(), app.get(MetricsService));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Stateful routing store')
      .setDescription(
        'Sticky routing for Kubernetes StatefulSets: links, pod states and loads (SPEC §5)',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return app;
}
