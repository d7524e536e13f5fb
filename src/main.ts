import { ConfigModule } from '@nestjs/config';
import { createApp } from './app.factory';
import { EnvironmentError, loadServiceConfig, type ServiceConfig } from './config/environment';

/** `npm start`: read and validate the environment (and `.env`), then serve until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: ServiceConfig;
  try {
    // Loads `.env` into process.env (real environment variables win) and validates everything.
    await ConfigModule.forRoot({ validate: (env) => (loadServiceConfig(env), env) });
    config = loadServiceConfig(process.env);
  } catch (error) {
    const cause = (error as Error).cause ?? error;
    if (cause instanceof EnvironmentError || error instanceof EnvironmentError) {
      process.stderr.write(
        `${(cause instanceof EnvironmentError ? cause : (error as Error)).message}\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    process.stderr.write(
      `Cannot listen on ${config.host}:${config.port}: ${(error as Error).message}\n`,
    );
    await app.close();
    process.exit(1);
  }
}

void main();
