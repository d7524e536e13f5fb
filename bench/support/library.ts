import { Test } from '@nestjs/testing';
import {
  LinkCache,
  LuaScriptRegistry,
  RedisConnectionPool,
  StatefulExecutorService,
  StatefulModule,
  type StatefulModuleOptions,
} from '../../src';
import { createRedisConnectionPool } from '../../src/redis/redis-client.factory';
import type { RedisClient } from '../../src/redis/redis-connection-pool';
import type { RedisModuleOptions } from '../../src/redis/redis-module-options';

/** The library as a user's Nest app holds it: StatefulModule.forRoot in a module of its own. */
export interface Library {
  executor: StatefulExecutorService;
  registry: LuaScriptRegistry;
  linkCache: LinkCache;
  pool: RedisConnectionPool;
  close(): Promise<void>;
}

export async function startLibrary(
  redis: RedisModuleOptions,
  options: Omit<StatefulModuleOptions, 'redis'> = {},
): Promise<Library> {
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ ...options, redis })],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  return {
    executor: app.get(StatefulExecutorService),
    registry: app.get(LuaScriptRegistry),
    linkCache: app.get(LinkCache),
    pool: app.get(RedisConnectionPool),
    close: () => app.close(),
  };
}

/**
 * The baseline: one plain ioredis client built by the library's own factory from the same
 * options, so that both sides share timeouts, retries and topology and the ratio isolates what
 * the library adds (validation, keys, dispatch, parsing).
 */
export async function startRawClient(
  redis: RedisModuleOptions,
): Promise<{ client: RedisClient; close(): Promise<void> }> {
  const pool = createRedisConnectionPool({ ...redis, poolSize: 1 });
  await pool.whenReady(10_000);
  return { client: pool.clients[0], close: () => pool.close() };
}
