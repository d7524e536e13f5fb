// First: the OpenTelemetry SDK (when configured) must see http and ioredis load.
import { tracingSdk } from './tracing/instrument';
import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { StatefulValidationError } from '../errors';
import { createApp } from './app.factory';
import {
  DEFAULT_REDIS_URL,
  startPrivateRedisIfNeeded,
  type PrivateRedis,
} from './redis/private-redis';
import {
  EnvironmentError,
  loadServiceConfig,
  startErrorLine,
  type ServiceConfig,
} from './config/environment';

/** `npm start`: read and validate the environment (and `.env`), then serve until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: ServiceConfig;
  try {
    // Loads `.env` into process.env (real environment variables win) and validates everything.
    await ConfigModule.forRoot({ validate: (env) => (loadServiceConfig(env), env) });
    config = loadServiceConfig(process.env);
  } catch (error) {
    const cause = (error as Error).cause ?? error;
    exitWithLine(cause instanceof EnvironmentError ? cause : error);
  }
  let privateRedis: PrivateRedis | undefined;
  try {
    privateRedis = await startPrivateRedisIfNeeded(process.env);
  } catch (error) {
    exitWithLine(error);
  }
  if (privateRedis) config = { ...config, redis: { ...config.redis, url: privateRedis.url } };
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    const sdk = tracingSdk;
    if (sdk) {
      // Spans still buffered are sent before the process ends.
      app
        .getHttpAdapter()
        .getInstance()
        .addHook('onClose', async () => {
          await sdk.shutdown().catch(() => undefined);
        });
    }
    // Nest re-raises the signal once closed, and a process ended by a signal runs no 'exit'
    // listener: the private Redis stops as the HTTP server closes.
    const stopPrivateRedis = privateRedis?.process;
    if (stopPrivateRedis) {
      app
        .getHttpAdapter()
        .getInstance()
        .addHook('onClose', (_instance, done) => {
          stopPrivateRedis.kill('SIGTERM');
          done();
        });
    }
    await app.listen(config.port, config.host);
  } catch (error) {
    // A configuration Redis refused (a database it does not have) stops the start with one line.
    if (error instanceof StatefulValidationError) exitWithLine(error);
    if (
      (error as { code?: string }).code === 'EADDRINUSE' ||
      (error as { syscall?: string }).syscall === 'listen'
    ) {
      exitWithLine(
        new Error(`Cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`),
      );
    }
    throw error;
  }
  const address = app.getHttpServer().address() as { address: string; port: number };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  if (privateRedis) {
    new Logger('Service').warn(
      `No Redis at ${DEFAULT_REDIS_URL}: using a private, memory-only redis-server at ${privateRedis.url}, stopped with the service (its data goes with it); set REDIS_URL to use yours`,
    );
  }
  new Logger('Service').log(`Listening on http://${host}:${address.port}`);
}

function exitWithLine(error: unknown): never {
  process.stderr.write(`${startErrorLine(error)}\n`);
  process.exit(1);
}

void main();
