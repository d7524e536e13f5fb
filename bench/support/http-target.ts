import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import Fastify from 'fastify';
import { Logger } from 'nestjs-pino';
import { createApp } from '../../src/service/app.factory';
import { AppModule } from '../../src/service/app.module';
import { loadServiceConfig, type ServiceConfig } from '../../src/service/config/environment';

/**
 * A child process serving one HTTP target of the benchmark on 127.0.0.1 (a free port), so that
 * the load generator never shares its event loop. `process.send` reports `{ port }` once
 * listening, and answers `'cpu'` with the process's CPU time so far (µs).
 *
 *   bare-fastify | bare-express   GET /constant returns {"podId":1}: the floor of each framework
 *                                 (bare-fastify also PUT /constant, which parses a JSON body first)
 *   nest-fastify                  the same route as a Nest controller: the floor of any Nest route
 *   service-fastify               the service exactly as `npm start` builds it
 *   service-express               the same AppModule on Nest's Express adapter
 */
type Listening = { port: number };

async function serve(mode: string): Promise<Listening> {
  if (mode === 'bare-fastify') {
    const app = Fastify();
    app.get('/constant', () => ({ podId: 1 }));
    app.put('/constant', () => ({ podId: 1 })); // parses the JSON body first, as the link PUT does
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as { port: number }).port };
  }
  if (mode === 'bare-express') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const express = require('express') as () => ExpressLike;
    const app = express();
    app.get('/constant', (_request, response) => response.json({ podId: 1 }));
    return new Promise((resolve) => {
      const server = app.listen(0, '127.0.0.1', () =>
        resolve({ port: (server.address() as { port: number }).port }),
      );
    });
  }
  if (mode === 'nest-fastify') {
    const app = await NestFactory.create<NestFastifyApplication>(
      ConstantModule,
      new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    return { port: (app.getHttpServer().address() as { port: number }).port };
  }
  const config: ServiceConfig = {
    ...loadServiceConfig(process.env),
    port: 0,
    host: '127.0.0.1',
  };
  const app = mode === 'service-fastify' ? await createApp(config) : await createExpressApp(config);
  await app.listen(0, '127.0.0.1');
  return { port: (app.getHttpServer().address() as { port: number }).port };
}

/** The service's AppModule on Express, configured like the Fastify build (body limit, pino logs). */
async function createExpressApp(config: ServiceConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    new ExpressAdapter(),
    { bufferLogs: true, bodyParser: false },
  );
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  app.useLogger(app.get(Logger));
  return app;
}

@Controller()
class ConstantController {
  @Get('constant')
  constant() {
    return { podId: 1 };
  }
}

@Module({ controllers: [ConstantController] })
class ConstantModule {}

interface ExpressLike {
  get(
    path: string,
    handler: (request: unknown, response: { json(body: unknown): void }) => void,
  ): void;
  listen(port: number, host: string, ready: () => void): { address(): unknown };
}

process.on('message', (message) => {
  if (message === 'exit') process.exit(0); // lets --cpu-prof write its profile
  if (message === 'cpu') {
    const usage = process.cpuUsage();
    process.send?.({ cpuMicros: usage.user + usage.system });
  }
});

serve(process.argv[2]).then(
  (listening) => process.send?.(listening),
  (error: Error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
