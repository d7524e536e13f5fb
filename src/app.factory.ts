import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import type { ServiceConfig } from './config/environment';
import { toHttpError } from './http/http-error';

/**
 * Builds the service on Fastify (chosen over Express for its lower per-request overhead; the
 * benchmark compares both). Not listening yet: `main.ts` listens, tests pick a free port.
 */
export async function createApp(config: ServiceConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  // Errors Fastify raises before Nest sees the request (malformed JSON, body too large) get the same shape.
  app
    .getHttpAdapter()
    .getInstance()
    .setErrorHandler((error, _request, reply) => {
      const body = toHttpError(error);
      void reply.status(body.statusCode).send(body);
    });
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
