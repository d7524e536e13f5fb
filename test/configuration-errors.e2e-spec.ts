import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer, type Server } from 'net';
import {
  LuaScriptsHealthIndicator,
  RedisHealthIndicator,
  RedisUnavailableError,
  StatefulExecutorService,
  StatefulModule,
  StatefulValidationError,
  type StatefulModuleOptions,
} from '../src';
import { freePort, RedisServer } from './support/redis-server';
import { waitUntil } from './support/wait-until';

/** Starts an app the way a host would; the caller closes it. */
async function startApp(options: StatefulModuleOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot(options)],
  }).compile();
  return moduleRef.createNestApplication({ logger: false }).init();
}

async function refusalOf(options: StatefulModuleOptions): Promise<StatefulValidationError> {
  const error = await startApp(options).then(
    async (app) => {
      await app.close();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StatefulValidationError);
  return error as StatefulValidationError;
}

/** Keys in every database of a server (INFO keyspace lists only databases that hold keys). */
async function keyspace(server: RedisServer): Promise<string> {
  return (await server.command('INFO', 'keyspace')).replace(/^#.*$/m, '').trim();
}

/** Mistakes new users make, each refused with an error they can act on, and nothing written. */
describe('configuration errors at first contact', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(() => server.destroy());
  afterEach(() => server.command('FLUSHALL'));

  it.each([
    [{ url: 'redis://127.0.0.1:6379/99' }, 'redis.url'],
    [{ host: '127.0.0.1', db: 99 }, 'redis.db'],
  ])(
    'a database Redis refuses (%j) fails the start naming %s; nothing lands in database 0',
    async (redis, field) => {
      const options =
        'url' in redis
          ? { url: `${server.url}/99` }
          : { host: '127.0.0.1', port: server.port, db: 99 };
      const error = await refusalOf({ redis: options });
      expect(error.field).toBe(field);
      expect(error.message).toMatch(/Redis refused database 99 \(ERR DB index is out of range\)/);
      expect(await keyspace(server)).toBe('');
    },
  );

  it('a database refused when Redis comes up after the app: no queued or later write reaches database 0', async () => {
    const port = await freePort();
    const app = await startApp({
      redis: {
        url: `redis://127.0.0.1:${port}/99`,
        connectTimeoutMs: 200,
        maxRetriesPerRequest: 50,
      },
    });
    try {
      const executor = app.get(StatefulExecutorService);
      const queued = Array.from({ length: 20 }, (_, i) =>
        executor.setLinkedPod('ns', `u${i}`, 'game', 1, -1).then(
          () => 'written',
          (error: unknown) => error,
        ),
      );
      const late = await RedisServer.start([], port);
      try {
        const outcomes = await Promise.all(queued);
        expect(outcomes.every((outcome) => outcome instanceof RedisUnavailableError)).toBe(true);
        await expect(executor.setLinkedPod('ns', 'later', 'game', 1, -1)).rejects.toBeInstanceOf(
          RedisUnavailableError,
        );
        expect(await keyspace(late)).toBe('');
        const health = await app.get(RedisHealthIndicator).isHealthy();
        expect(health.redis.status).toBe('down');
        expect(JSON.stringify(health)).toMatch(/Redis refused database 99/);
      } finally {
        await late.destroy();
      }
    } finally {
      await app.close();
    }
  });

  it('a malformed URL is a validation error naming redis.url, not a TypeError', async () => {
    const error = await refusalOf({ redis: { url: 'redis://127.0.0.1:notaport' } });
    expect(error.field).toBe('redis.url');
  });

  describe('options are checked before anything connects', () => {
    let listener: Server;
    let port: number;
    let connections = 0;

    beforeAll(async () => {
      listener = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      port = (listener.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    it.each([
      [{ keyPrefix: 'a{b' }, 'keyPrefix'],
      [{ keyPrefix: '' }, 'keyPrefix'],
      [{ redis: { poolSize: 0 } }, 'redis.poolSize'],
    ])('%j is refused naming %s, and no socket was opened', async (bad, field) => {
      const { redis: extraRedis, ...rest } = bad as Partial<StatefulModuleOptions>;
      const error = await refusalOf({
        redis: { url: `redis://127.0.0.1:${port}`, ...extraRedis },
        ...rest,
      });
      expect(error.field).toBe(field);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(connections).toBe(0);
    });
  });

  describe('credentials Redis refuses', () => {
    let secured: RedisServer;

    beforeAll(async () => {
      secured = await RedisServer.start(['--requirepass', 'right-password']);
    });
    afterAll(() => secured.destroy());

    it.each([
      ['a wrong password', { password: 'wrong-password' }],
      ['no password (NOAUTH)', {}],
    ])(
      '%s: calls fail with RedisUnavailableError saying authentication failed, and readiness says so',
      async (_case, credentials) => {
        const app = await startApp({
          redis: { url: secured.url, connectTimeoutMs: 300, ...credentials },
        });
        try {
          const error = await app
            .get(StatefulExecutorService)
            .setLinkedPod('ns', 'u', 'game', 1, -1)
            .catch((caught: unknown) => caught);
          expect(error).toBeInstanceOf(RedisUnavailableError);
          expect((error as RedisUnavailableError).reason).toBe('authentication failed');
          expect((error as Error).message).toMatch(/authentication failed/);
          const scripts = await app.get(LuaScriptsHealthIndicator).isHealthy();
          const redis = await app.get(RedisHealthIndicator).isHealthy();
          expect(scripts['redis-scripts'].status).toBe('down');
          expect(redis.redis.status).toBe('down');
          expect(JSON.stringify([scripts, redis])).toMatch(
            /authentication failed|Redis connection is/,
          );
        } finally {
          await app.close();
        }
      },
    );

    it('the right password works', async () => {
      const app = await startApp({ redis: { url: secured.url, password: 'right-password' } });
      try {
        await app.get(StatefulExecutorService).setLinkedPod('ns', 'u', 'game', 1, -1);
        await expect(
          app.get(StatefulExecutorService).getLinkedPod('ns', 'u', 'game'),
        ).resolves.toBe(1);
      } finally {
        await app.close();
      }
    });
  });

  it('start-up waits connectTimeoutMs for an unreachable Redis, not a fixed 5 s', async () => {
    const port = await freePort();
    const started = Date.now();
    const app = await startApp({
      redis: { url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300 },
    });
    const elapsed = Date.now() - started;
    await app.close();
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(3_000);
  });

  describe('readiness answers within 1 s whatever Redis does', () => {
    async function expectBothDownWithinOneSecond(app: INestApplication): Promise<void> {
      const started = Date.now();
      const [redis, scripts] = await Promise.all([
        app.get(RedisHealthIndicator).isHealthy(),
        app.get(LuaScriptsHealthIndicator).isHealthy(),
      ]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect([redis.redis.status, scripts['redis-scripts'].status]).toEqual(['down', 'down']);
    }

    it('Redis down: both indicators report down at once', async () => {
      const down = await RedisServer.start();
      const app = await startApp({ redis: { url: down.url, commandTimeoutMs: 5_000 } });
      try {
        await down.stop();
        await waitUntil(
          () =>
            app
              .get(RedisHealthIndicator)
              .isHealthy()
              .then((h) => h.redis.status === 'down'),
          'readiness down',
        );
        await expectBothDownWithinOneSecond(app);
      } finally {
        await app.close();
        await down.destroy();
      }
    });

    it('Redis hanging (SIGSTOP): both indicators report down within 1 s', async () => {
      const hanging = await RedisServer.start();
      const app = await startApp({ redis: { url: hanging.url, commandTimeoutMs: 5_000 } });
      try {
        process.kill(hanging.pid!, 'SIGSTOP');
        await expectBothDownWithinOneSecond(app);
      } finally {
        process.kill(hanging.pid!, 'SIGCONT');
        await app.close();
        await hanging.destroy();
      }
    });
  });
});
