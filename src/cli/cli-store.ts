import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Env } from '../config/environment-reader';
import { loadStoreEnvironment, type StoreEnvironment } from '../config/store-environment';
import { createStatefulKeys, type StatefulKeys } from '../core/stateful-keys';
import { RedisUnavailableError, StatefulValidationError } from '../errors';
import { StoreOverview } from '../overview/store-overview';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { StatefulExecutorService } from '../stateful/stateful-executor.service';
import { StatefulModule } from '../stateful/stateful.module';

/** The store as the CLI uses it: the library itself, in a Nest application context of its own. */
export interface CliStore {
  executor: StatefulExecutorService;
  overview: StoreOverview;
  close(): Promise<void>;
}

/** The environment, checked, and the key layout it names: arguments are checked before Redis. */
export function readCliEnvironment(env: Env): { store: StoreEnvironment; keys: StatefulKeys } {
  const store = loadStoreEnvironment(env);
  return { store, keys: createStatefulKeys(store.keyLayout, store.keyPrefix) };
}

/** Connects (waiting up to REDIS_CONNECT_TIMEOUT_MS); RedisUnavailableError when Redis is away. */
export async function openStore(environment: StoreEnvironment): Promise<CliStore> {
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(
      StatefulModule.forRoot({
        redis: environment.redis,
        keyLayout: environment.keyLayout,
        ...(environment.keyPrefix !== undefined && { keyPrefix: environment.keyPrefix }),
        ...(environment.podStatusFormat !== undefined && {
          podStatusFormat: environment.podStatusFormat,
        }),
        podTableTtlMs: 0,
      }),
      { logger: false, abortOnError: false },
    );
  } catch (error) {
    if (error instanceof StatefulValidationError) throw error;
    throw new RedisUnavailableError('connect', error);
  }
  try {
    await app.get(RedisConnectionPool).whenReady();
  } catch (error) {
    await app.close();
    throw error instanceof RedisUnavailableError
      ? error
      : new RedisUnavailableError('connect', error);
  }
  return {
    executor: app.get(StatefulExecutorService),
    overview: app.get(StoreOverview),
    close: () => app.close(),
  };
}
