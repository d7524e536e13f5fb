import type { INestApplication } from '@nestjs/common';
import calculateSlot from 'cluster-key-slot';
import { RedisUnavailableError, type StatefulModuleOptions } from '../src';
import { startLibraryApp, unhandledDuring } from './support/library-app';
import { RedisCluster } from './support/redis-cluster';
import type { RedisServer } from './support/redis-server';

/**
 * `durability` on a Cluster whose slots move (SPEC §8): the library sends each write to its
 * slot's master itself, so it must follow ASK where ioredis would: to a master its slot map does
 * not list yet, through a `natMap`, and without leaving a failed ASKING unobserved. (Found by a
 * review of the change; each test failed before its fix.)
 */
const NS = 'redir';

/**
 * Puts `slot` in migration from its master to `target` (a master of the cluster) while `body`
 * runs, then closes it again (the keys written to the target stay there, unlisted).
 */
async function whileMigrating(
  cluster: RedisCluster,
  slot: number,
  target: RedisServer,
  body: () => Promise<void>,
): Promise<void> {
  const source = await cluster.shardOf(slot);
  const targetId = (await target.command('CLUSTER', 'MYID')).trim();
  await target.command('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source.id);
  await source.master.command('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', targetId);
  try {
    await body();
  } finally {
    target.thaw();
    for (const node of [target, source.master]) {
      await node.command('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    }
  }
}

const keysInSlot = async (server: RedisServer, slot: number) =>
  Number((await server.command('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).trim());

describe('durability on a Cluster: writes follow ASK', () => {
  let cluster: RedisCluster;
  const apps: INestApplication[] = [];
  const start = async (options: StatefulModuleOptions) => {
    const started = await startLibraryApp(options);
    apps.push(started.app);
    return started.executor;
  };

  beforeAll(async () => {
    cluster = await RedisCluster.start();
  }, 90_000);
  afterAll(async () => {
    cluster?.nodes.forEach((node) => node.thaw());
    await Promise.all(apps.map((app) => app.close()));
    await cluster?.destroy();
  });

  it('through a natMap (Redis names the importing master by its own address)', async () => {
    const natMap = (key: string) => ({ host: 'localhost', port: Number(key.split(':')[1]) });
    const executor = await start({
      redis: {
        cluster: {
          nodes: cluster.seeds.map(({ port }) => ({ host: 'localhost', port })),
          options: { natMap },
        },
      },
      durability: { replicas: 1, timeoutMs: 1_000 },
    });
    const slot = calculateSlot(`sf:{${NS}:state:nat}`);
    const target = await cluster.shardOf((slot + 8_192) % 16_384);
    await whileMigrating(cluster, slot, target.master, async () => {
      await expect(executor.setServiceState(NS, 'nat', 1, 'Ready')).resolves.toBeUndefined();
      expect(await keysInSlot(target.master, slot)).toBe(1);
      expect(await keysInSlot(target.replica!, slot)).toBe(1);
    });
  }, 60_000);

  it('to a master that serves no slot yet (the first slot of a scale-out), confirmed by its replica', async () => {
    const executor = await start({
      redis: { cluster: { nodes: cluster.seeds } },
      durability: { replicas: 1, timeoutMs: 1_000 },
    });
    const newMaster = await cluster.addMaster();
    const newReplica = await cluster.addReplica(newMaster);
    const slot = calculateSlot(`sf:{${NS}:state:ask}`);
    await whileMigrating(cluster, slot, newMaster, async () => {
      await expect(executor.setServiceState(NS, 'ask', 1, 'Ready')).resolves.toBeUndefined();
      expect(await keysInSlot(newMaster, slot)).toBe(1);
      expect(await keysInSlot(newReplica, slot)).toBe(1);
    });
  }, 90_000);

  it('an importing master that does not answer: the call fails typed, nothing unobserved', async () => {
    const executor = await start({
      redis: { cluster: { nodes: cluster.seeds }, commandTimeoutMs: 1_000 },
      durability: { replicas: 1, timeoutMs: 300 },
    });
    const slot = calculateSlot(`sf:{${NS}:state:hung}`);
    const target = await cluster.shardOf((slot + 8_192) % 16_384);
    await whileMigrating(cluster, slot, target.master, async () => {
      target.master.freeze();
      let outcome: unknown;
      const unhandled = await unhandledDuring(async () => {
        outcome = await executor.setServiceState(NS, 'hung', 1, 'Ready').catch((e: unknown) => e);
      });
      expect(outcome).toBeInstanceOf(RedisUnavailableError);
      expect(unhandled.map((reason) => (reason as Error).message)).toEqual([]);
    });
  }, 60_000);
});
