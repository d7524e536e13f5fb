import { Logger } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { StatefulValidationError } from '../errors';
import { createApp } from './app.factory';
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
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
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
  new Logger('Service').log(`Listening on http://${host}:${address.port}`);
}

function exitWithLine(error: unknown): never {
  process.stderr.write(`${startErrorLine(error)}\n`);
  process.exit(1);
}

void main();
