import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  LuaScriptRegistry,
  RedisConnectionPool,
  StatefulExecutorService,
  StatefulModule,
  type StatefulModuleOptions,
} from '../../src';
import { RedisServer } from './redis-server';

/**
 * A Nest app that imports StatefulModule exactly as a user's app would, against a private Redis,
 * plus a raw ioredis client to look at (and tamper with) the stored data.
 */
export interface StatefulTestbed {
  server: RedisServer;
  app: INestApplication;
  executor: StatefulExecutorService;
  pool: RedisConnectionPool;
  registry: LuaScriptRegistry;
  raw: Redis;
  close(): Promise<void>;
}

export async function startTestbed(
  options: Partial<StatefulModuleOptions> & { redis?: StatefulModuleOptions['redis'] } = {},
): Promise<StatefulTestbed> {
  const server = await RedisServer.start();
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ ...options, redis: { url: server.url, ...options.redis } })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const raw = new Redis(server.url);
  return {
    server,
    app,
    executor: app.get(StatefulExecutorService),
    pool: app.get(RedisConnectionPool),
    registry: app.get(LuaScriptRegistry),
    raw,
    async close() {
      raw.disconnect();
      await app.close();
      await server.destroy();
    },
  };
}
