import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cluster, Redis } from 'ioredis';
import {
  LuaScriptRegistry,
  RedisConnectionPool,
  StatefulExecutorService,
  StatefulModule,
  type RedisModuleOptions,
  type StatefulModuleOptions,
} from '../../src';
import { RedisCluster } from './redis-cluster';
import { RedisServer } from './redis-server';

export type Topology = 'standalone' | 'cluster';

/** The topologies the semantic suites run on; `TEST_TOPOLOGIES=standalone` narrows them. */
export const TOPOLOGIES: Topology[] = (process.env.TEST_TOPOLOGIES?.split(',') as
  Topology[] | undefined) ?? ['standalone', 'cluster'];

/**
 * A Nest app that imports StatefulModule exactly as a user's app would, against a private Redis
 * (one server, or a three-master Cluster), plus raw access to look at and tamper with the data.
 */
export interface StatefulTestbed {
  topology: Topology;
  app: INestApplication;
  executor: StatefulExecutorService;
  pool: RedisConnectionPool;
  registry: LuaScriptRegistry;
  /** A raw client: key-routed commands work on both topologies. */
  raw: Redis | Cluster;
  /** Set for 'standalone'. */
  server?: RedisServer;
  /** Set for 'cluster'. */
  cluster?: RedisCluster;
  /** The options the app was given for Redis, to start more apps against the same deployment. */
  redisOptions: RedisModuleOptions;
  /** One raw connection per master. */
  masters(): Redis[];
  /** FLUSHALL on every master. */
  flush(): Promise<void>;
  /** Every key on every master, sorted. */
  keys(): Promise<string[]>;
  /** SCRIPT FLUSH on every master. */
  flushScripts(): Promise<void>;
  /** The Redis server's clock, in unix milliseconds. */
  redisTimeMs(): Promise<number>;
  close(): Promise<void>;
}

export async function startTestbed(
  topology: Topology = 'standalone',
  options: Omit<Partial<StatefulModuleOptions>, 'redis'> & {
    redis?: Partial<RedisModuleOptions>;
  } = {},
): Promise<StatefulTestbed> {
  const server = topology === 'standalone' ? await RedisServer.start() : undefined;
  const cluster = topology === 'cluster' ? await RedisCluster.start() : undefined;
  const redisOptions: RedisModuleOptions = server
    ? { url: server.url, ...options.redis }
    : { cluster: { nodes: cluster!.seeds }, ...options.redis };
  // The semantic suites flush Redis between tests: a pod table kept across them would answer from
  // the previous test's data, so they read on every call unless a suite asks for the table.
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ podTableTtlMs: 0, ...options, redis: redisOptions })],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const raw = server ? new Redis(server.url) : new Cluster(cluster!.seeds);
  raw.on('error', () => undefined); // tests that stop Redis expect this client's errors
  await new Promise<void>((resolve) =>
    raw.status === 'ready' ? resolve() : raw.once('ready', () => resolve()),
  );
  const masters = () => (raw instanceof Cluster ? raw.nodes('master') : [raw]);
  return {
    topology,
    app,
    executor: app.get(StatefulExecutorService),
    pool: app.get(RedisConnectionPool),
    registry: app.get(LuaScriptRegistry),
    raw,
    server,
    cluster,
    redisOptions,
    masters,
    async flush() {
      await Promise.all(masters().map((node) => node.flushall()));
    },
    async keys() {
      return (await Promise.all(masters().map((node) => node.keys('*')))).flat().sort();
    },
    async flushScripts() {
      await Promise.all(masters().map((node) => node.script('FLUSH')));
    },
    async redisTimeMs() {
      const [seconds, micros] = await masters()[0].time();
      return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    },
    async close() {
      raw.disconnect();
      await app.close();
      await server?.destroy();
      await cluster?.destroy();
    },
  };
}

/**
 * Registers beforeAll/afterAll for a test bed and returns it; its fields are filled in beforeAll,
 * so tests read them at run time (`bed.executor`), never while the suite is being declared.
 */
export function useTestbed(
  topology: Topology = 'standalone',
  options?: Parameters<typeof startTestbed>[1],
): StatefulTestbed {
  const bed = {} as StatefulTestbed;
  beforeAll(async () => {
    Object.assign(bed, await startTestbed(topology, options));
  }, 60_000);
  afterAll(() => bed.close?.());
  return bed;
}
