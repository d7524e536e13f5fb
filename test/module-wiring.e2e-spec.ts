import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Cluster, Redis } from 'ioredis';
import {
  LuaScriptRegistry,
  LuaScriptsHealthIndicator,
  RedisConnectionPool,
  RedisHealthIndicator,
  RedisModule,
  RedisUnavailableError,
  StatefulExecutorService,
  StatefulModule,
  StatefulValidationError,
} from '../src';
import { RedisServer } from './support/redis-server';

@Injectable()
class RoutingConfig {
  factoryCalls = 0;
  constructor(readonly url: string) {}
}

/** How a host Nest app wires the library: forRoot, forRootAsync, RedisModule alone, its own client. */
describe('module wiring', () => {
  let server: RedisServer;
  let raw: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw.disconnect();
    await server.destroy();
  });

  const connectionsNamed = async (name: string) =>
    ((await raw.client('LIST')) as string)
      .split('\n')
      .filter((line) => line.includes(` name=${name} `)).length;

  it('StatefulModule.forRoot provides the executor, pool, registry and health indicators, and closes its connections', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({ redis: { url: server.url, connectionName: 'wiring-root' } }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const executor = app.get(StatefulExecutorService);
    await executor.setLinkedPod('ns', 'u', 'svc', 2, -1);
    await expect(executor.getLinkedPod('ns', 'u', 'svc')).resolves.toBe(2);
    await expect(app.get(LuaScriptRegistry).status()).resolves.toMatchObject({ loaded: true });
    await expect(app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: 1 },
    });
    expect(await connectionsNamed('wiring-root')).toBe(1);
    const client = app.get(RedisConnectionPool).clients[0];
    await app.close();
    expect(client.status).toBe('end');
    expect(await connectionsNamed('wiring-root')).toBe(0);
  });

  it('StatefulModule.forRootAsync resolves options from injected providers, calling the factory once', async () => {
    const config = new RoutingConfig(server.url);
    @Module({ providers: [{ provide: RoutingConfig, useValue: config }], exports: [RoutingConfig] })
    class ConfigModule {}

    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRootAsync({
          imports: [ConfigModule],
          inject: [RoutingConfig],
          useFactory: (routing: RoutingConfig) => {
            routing.factoryCalls++;
            return { redis: { url: routing.url }, keyPrefix: 'async' };
          },
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    await app.get(StatefulExecutorService).setWorkloadState('ns', 'svc', 'Available');
    expect(await raw.get('async:{ns:workload:svc}')).toBe('Available');
    expect(config.factoryCalls).toBe(1);
    await app.close();
  });

  it('RedisModule alone gives the pool and the registry, usable with Terminus', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RedisModule.forRoot({ host: '127.0.0.1', port: server.port }), TerminusModule],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const registry = app.get(LuaScriptRegistry);
    expect(registry.scripts.map((s) => s.name)).toContain('statefulSetLink');
    expect(registry.sha1('statefulSetLink')).toMatch(/^[0-9a-f]{40}$/);
    await expect(
      registry.run(
        'statefulSetLink',
        ['sf:{x:lk:u}s', 'sf:{x:lk:u}', 'sf:{x:lk:u}s:epoch'],
        ['s', 1, -1],
      ),
    ).resolves.toEqual([null, expect.any(Number)]);
    await expect(registry.run('statefulSetLink', ['only-one-key'], [])).rejects.toThrow(
      'takes 3 keys',
    );
    await expect(registry.run('noSuchScript', [], [])).rejects.toThrow('Unknown Lua script');
    const health = app.get(HealthCheckService);
    const redis = app.get(RedisHealthIndicator);
    const scripts = app.get(LuaScriptsHealthIndicator);
    await expect(
      health.check([() => redis.isHealthy(), () => scripts.isHealthy()]),
    ).resolves.toMatchObject({
      status: 'ok',
      info: { redis: { status: 'up' }, 'redis-scripts': { status: 'up' } },
    });
    await app.close();
  });

  it('uses a client handed in by the user and leaves it open on shutdown', async () => {
    const own = new Redis(server.url);
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ redis: { client: own } })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    await app.get(StatefulExecutorService).setServiceState('ns', 'svc', 1, 'Running');
    await app.close();
    expect(own.status).toBe('ready');
    await expect(own.hget('sf:{ns:state:svc}', '1')).resolves.toBe('Running');
    own.disconnect();
  });

  it('keeps the keyPrefix of a client handed in, for scripts and plain commands alike', async () => {
    const own = new Redis(server.url, { keyPrefix: 'tenant-a:' });
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ redis: { client: own } })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const executor = app.get(StatefulExecutorService);
    await expect(executor.setLinkedPod('ns', 'prefixed', 'svc', 4, -1)).resolves.toBeNull();
    await expect(executor.getLinkedPod('ns', 'prefixed', 'svc')).resolves.toBe(4);
    await app.close();
    await expect(raw.get('tenant-a:sf:{ns:lk:prefixed}svc')).resolves.toBe('4');
    await expect(raw.hget('tenant-a:sf:{ns:lk:prefixed}', 'svc')).resolves.toBe('4');
    await expect(raw.exists('sf:{ns:lk:prefixed}svc')).resolves.toBe(0);
    own.disconnect();
  });

  it('poolSize opens that many connections and uses them round-robin', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: { url: server.url, poolSize: 3, connectionName: 'wiring-pool' },
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const pool = app.get(RedisConnectionPool);
    expect(pool.clients).toHaveLength(3);
    expect(await connectionsNamed('wiring-pool')).toBe(3);
    const order = [pool.next(), pool.next(), pool.next(), pool.next()];
    expect(new Set(order.slice(0, 3)).size).toBe(3);
    expect(order[3]).toBe(order[0]);
    await expect(app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: 3 },
    });
    await app.close();
    expect(await connectionsNamed('wiring-pool')).toBe(0);
  });

  it.each([
    [{ url: 'http://localhost:6379' }, 'redis.url'],
    [{ url: 'redis://a', host: 'b' }, 'redis'],
    [{ poolSize: 0 }, 'redis.poolSize'],
    [{ poolSize: 1.5 }, 'redis.poolSize'],
    [{ commandTimeoutMs: -1 }, 'redis.commandTimeoutMs'],
    [{ cluster: { nodes: [] } }, 'redis.cluster.nodes'],
    [{ sentinel: { sentinels: [], name: 'm' } }, 'redis.sentinel.sentinels'],
  ])('rejects redis options %j naming %s', async (redis, field) => {
    const error = await Test.createTestingModule({ imports: [StatefulModule.forRoot({ redis })] })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatefulValidationError);
    expect((error as StatefulValidationError).field).toBe(field);
  });

  it('refuses an option it does not know, naming it (a typo must not run the defaults)', async () => {
    const error = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: { url: server.url, redisOptions: { lazyConnect: true } },
          keyLayot: 'java',
        } as never),
      ],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatefulValidationError);
    expect((error as StatefulValidationError).field).toBe('keyLayot');
    expect((error as Error).message).toContain('is not a StatefulModule option');
  });

  it.each([
    [{ keyLayout: 'Java' }, 'keyLayout', "must be 'go' or 'java'"],
    [{ traceUids: 'yes' }, 'traceUids', 'must be true or false'],
    [{ keyLayout: 'java', podStatusFormat: 'split' }, 'podStatusFormat', 'Java reads only'],
    [
      { keyLayout: 'java', redis: { cluster: { nodes: [{ host: '127.0.0.1', port: 1 }] } } },
      'keyLayout',
      'not a Cluster',
    ],
    [
      {
        keyLayout: 'java',
        pod: { namespace: 'prod', service: 'game', podId: 1, load: (): number => 0 },
      },
      'pod.namespace',
      '<appId>:<regionId>:<logicType>',
    ],
    [
      { keyLayout: 'java', cache: { maxEntries: 10, namespaces: ['app:eu:logic', 'prod'] } },
      'cache.namespaces[1]',
      '<appId>:<regionId>:<logicType>',
    ],
    [
      { pod: { namespace: 'app:eu:logic', service: 'game', podId: 1, load: (): number => 0 } },
      'pod.namespace',
      'A-Z a-z 0-9',
    ],
  ])('refuses the key layout option set %j at start, naming %s', async (options, field, reason) => {
    const error = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: { url: server.url, redisOptions: { lazyConnect: true } },
          ...(options as object),
        }),
      ],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatefulValidationError);
    expect((error as StatefulValidationError).field).toBe(field);
    expect((error as Error).message).toContain(reason);
  });

  it('refuses the java key layout on a Cluster client handed in', async () => {
    const client = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    try {
      const error = await Test.createTestingModule({
        imports: [StatefulModule.forRoot({ keyLayout: 'java', redis: { client } })],
      })
        .compile()
        .catch((e: unknown) => e);
      expect((error as StatefulValidationError).field).toBe('keyLayout');
    } finally {
      client.disconnect();
    }
  });

  it.each(['', 'a{b', 'with space', 'x'.repeat(65)])('rejects keyPrefix %j', async (keyPrefix) => {
    const error = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: { url: server.url, redisOptions: { lazyConnect: true } },
          keyPrefix,
        }),
      ],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatefulValidationError);
    expect((error as StatefulValidationError).field).toBe('keyPrefix');
  });
});

/** With Redis down, calls fail fast with the typed error, health says down, and both recover. */
describe('Redis unavailable', () => {
  it('fails with RedisUnavailableError, reports down, and recovers when Redis returns', async () => {
    const server = await RedisServer.start();
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ redis: { url: server.url, commandTimeoutMs: 500 } })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const executor = app.get(StatefulExecutorService);
    const redisHealth = app.get(RedisHealthIndicator);
    const scriptsHealth = app.get(LuaScriptsHealthIndicator);
    try {
      await server.stop();
      await expect(executor.getLinkedPod('ns', 'u', 'svc')).rejects.toBeInstanceOf(
        RedisUnavailableError,
      );
      await expect(executor.setLinkedPod('ns', 'u', 'svc', 1, -1)).rejects.toBeInstanceOf(
        RedisUnavailableError,
      );
      await expect(redisHealth.isHealthy()).resolves.toMatchObject({ redis: { status: 'down' } });
      await expect(scriptsHealth.isHealthy()).resolves.toMatchObject({
        'redis-scripts': { status: 'down' },
      });

      await server.launch();
      const deadline = Date.now() + 10_000;
      let healthy = false;
      while (!healthy && Date.now() < deadline) {
        healthy = (await redisHealth.isHealthy()).redis.status === 'up';
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(healthy).toBe(true);
      await expect(executor.setLinkedPod('ns', 'u', 'svc', 1, -1)).resolves.toBeNull();
      await expect(scriptsHealth.isHealthy()).resolves.toMatchObject({
        'redis-scripts': { status: 'up' },
      });
    } finally {
      await app.close();
      await server.destroy();
    }
  });

  it('shutdown does not hang when Redis is already gone, and stops reconnecting', async () => {
    const server = await RedisServer.start();
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ redis: { url: server.url, connectionName: 'gone' } })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      await server.stop();
      await app.close();
      // Redis comes back: a closed pool must not connect to it again.
      await server.launch();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await server.command('CLIENT', 'LIST')).not.toContain('name=gone');
    } finally {
      await server.destroy();
    }
  });
});
