import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  RedisUnavailableError,
  StatefulExecutorService,
  StatefulModule,
  type StatefulModuleOptions,
} from '../src';
import { RedisServer } from './support/redis-server';
import { useTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

const NS = 'dur';
const SVC = 'game';

async function startApp(
  options: StatefulModuleOptions,
): Promise<{ app: INestApplication; executor: StatefulExecutorService }> {
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ podTableTtlMs: 0, ...options })],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  return { app, executor: app.get(StatefulExecutorService) };
}

async function waitCalls(server: RedisServer): Promise<number> {
  const stats = await server.command('INFO', 'commandstats');
  return Number(/^cmdstat_wait:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
}

/** SPEC §8: with `durability`, a write resolves only once a replica has it. */
describe('durability: replicated acknowledgements (a master and its replica)', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let app: INestApplication;
  let executor: StatefulExecutorService;

  beforeAll(async () => {
    master = await RedisServer.start();
    replica = await RedisServer.start(['--replicaof', '127.0.0.1', String(master.port)]);
    await waitUntil(
      async () => (await replica.command('INFO', 'replication')).includes('master_link_status:up'),
      'replica in sync',
    );
    ({ app, executor } = await startApp({
      redis: { url: master.url, commandTimeoutMs: 2_000 },
      durability: { replicas: 1, timeoutMs: 300 },
    }));
  }, 60_000);
  afterAll(async () => {
    replica?.thaw();
    await app?.close();
    await replica?.destroy();
    await master?.destroy();
  });

  it('every kind of write resolves once the replica has it, with WAIT on the same connection', async () => {
    const before = await waitCalls(master);
    await executor.setServiceState(NS, SVC, 1, 'Ready');
    await executor.reportPodStatus(NS, SVC, 1, { load: 1 });
    await expect(executor.setLinkedPod(NS, 'u1', SVC, 1, -1)).resolves.toBeNull();
    // Confirmed: the replica holds it already, no waiting.
    expect((await replica.command('GET', `sf:{${NS}:lk:u1}${SVC}`)).trim()).toBe('1');
    await expect(executor.computeLinkedPod(NS, 'u2', SVC, -1)).resolves.toEqual({
      podId: 1,
      created: true,
    });
    expect((await replica.command('GET', `sf:{${NS}:lk:u2}${SVC}`)).trim()).toBe('1');
    await expect(executor.trySetLinkedPod(NS, 'u3', SVC, 1, -1)).resolves.toEqual({
      success: true,
      podId: 1,
    });
    await expect(executor.setLinkedPodIfAbsent(NS, 'u3', SVC, 2, -1)).resolves.toBe(1);
    await expect(executor.removeLinkedPod(NS, 'u3', SVC, -1)).resolves.toBe(true);
    expect((await replica.command('EXISTS', `sf:{${NS}:lk:u3}${SVC}`)).trim()).toBe('0');
    await expect(executor.releasePodUsers(NS, SVC, 1)).resolves.toBe(2);
    // Reads send no WAIT: 9 writes above, of which the release's are one per user (2) and the
    // compute is its script plus the claim.
    await executor.getLinkedPod(NS, 'u1', SVC);
    expect((await waitCalls(master)) - before).toBeGreaterThanOrEqual(9);
  });

  it('a hung replica: writes fail fast and typed, saying they were not confirmed; reads go on', async () => {
    await executor.setLinkedPod(NS, 'h1', SVC, 1, -1);
    replica.freeze();
    try {
      const started = Date.now();
      const error = await executor.setLinkedPod(NS, 'h1', SVC, 2, -1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toMatch(
        /not confirmed by replicas \(0 of 1 within 300 ms\)/,
      );
      expect(Date.now() - started).toBeLessThan(1_500);
      await expect(executor.setServiceState(NS, SVC, 2, 'Ready')).rejects.toThrow(
        /not confirmed by replicas/,
      );
      // The write may have happened on the master: it is not trusted, but it is there.
      await expect(executor.getLinkedPod(NS, 'h1', SVC)).resolves.toBe(2);
    } finally {
      replica.thaw();
    }
    await waitUntil(
      async () => (await replica.command('INFO', 'replication')).includes('master_link_status:up'),
      'replica back',
    );
    await expect(executor.setLinkedPod(NS, 'h1', SVC, 3, -1)).resolves.toBe(2);
  });
});

describe('durability without a replica', () => {
  const server = { current: undefined as RedisServer | undefined };
  beforeAll(async () => {
    server.current = await RedisServer.start();
  });
  afterAll(() => server.current?.destroy());

  it('no write is acknowledged; with the option off nothing waits', async () => {
    const { app, executor } = await startApp({
      redis: { url: server.current!.url },
      durability: { replicas: 1, timeoutMs: 50 },
    });
    try {
      await expect(executor.setLinkedPod(NS, 'n1', SVC, 1, -1)).rejects.toThrow(
        /not confirmed by replicas \(0 of 1 within 50 ms\)/,
      );
    } finally {
      await app.close();
    }
    const plain = await startApp({ redis: { url: server.current!.url } });
    try {
      const before = await waitCalls(server.current!);
      await plain.executor.setLinkedPod(NS, 'n2', SVC, 1, -1);
      expect(await waitCalls(server.current!)).toBe(before);
    } finally {
      await plain.app.close();
    }
  });
});

describe('durability on a Cluster (one replica per master)', () => {
  const bed = useTestbed('cluster', { durability: { replicas: 1, timeoutMs: 1_000 } });

  it('writes to every slot resolve, and each replica holds them when they do', async () => {
    const uids = Array.from({ length: 30 }, (_, i) => `c${i}`);
    await Promise.all(uids.map((uid) => bed.executor.setLinkedPod(NS, uid, SVC, 4, -1)));
    const replicas = bed.cluster!.nodes.filter((node) => node.running);
    const replicaClients = replicas.map((node) => new Redis(node.port, '127.0.0.1'));
    try {
      // Read each key on the replica of its master: READONLY lets a replica answer for its slots.
      let confirmed = 0;
      for (const client of replicaClients) {
        if (String((await client.role())[0]) !== 'slave') continue;
        await client.call('READONLY');
        for (const uid of uids) {
          const value = await client.get(`sf:{${NS}:lk:${uid}}${SVC}`).catch(() => undefined);
          if (value === '4') confirmed++;
        }
      }
      expect(confirmed).toBe(uids.length);
    } finally {
      replicaClients.forEach((client) => client.disconnect());
    }
  });
});
