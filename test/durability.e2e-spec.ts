import type { INestApplication } from '@nestjs/common';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { NoAvailablePodError, RedisUnavailableError, StatefulExecutorService } from '../src';
import { startLibraryApp } from './support/library-app';
import { LinkLoad, stopAllLoads } from './support/link-load';
import { RedisServer } from './support/redis-server';
import { useTestbed } from './support/stateful-testbed';

const NS = 'dur';
const SVC = 'game';

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
    replica = await RedisServer.startReplica(master);
    ({ app, executor } = await startLibraryApp({
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
      epoch: expect.any(Number),
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
    await executor.setWorkloadState(NS, SVC, 'Running');
    expect((await replica.command('GET', `sf:{${NS}:workload:${SVC}}`)).trim()).toBe('Running');
    // One WAIT per write above, awaited one by one: 9, where the release's two removals, sent
    // together, share one (group commit) and the compute waits for its claim only (its first step
    // found no link: it wrote nothing). Reads send none.
    const afterWrites = await waitCalls(master);
    expect(afterWrites - before).toBeGreaterThanOrEqual(9);
    await executor.getLinkedPod(NS, 'u1', SVC);
    await executor.getServiceState(NS, SVC);
    await executor.getWorkloadState(NS, SVC);
    expect(await waitCalls(master)).toBe(afterWrites);
  });

  it('concurrent writes share WAITs (group commit), and each is on the replica when it resolves', async () => {
    const before = await waitCalls(master);
    const uids = Array.from({ length: 200 }, (_, i) => `g${i}`);
    await Promise.all(uids.map((uid, i) => executor.setLinkedPod(NS, uid, SVC, i % 7, -1)));
    const waits = (await waitCalls(master)) - before;
    expect(waits).toBeGreaterThan(0);
    expect(waits).toBeLessThan(20);
    const onReplica = new Redis(replica.port, '127.0.0.1');
    try {
      const values = await onReplica.mget(uids.map((uid) => `sf:{${NS}:lk:${uid}}${SVC}`));
      expect(values).toEqual(uids.map((_, i) => String(i % 7)));
    } finally {
      onReplica.disconnect();
    }
  });

  it('a call whose script wrote nothing does not wait for replicas', async () => {
    // computeLinkedPod's first step finds no link and writes nothing; with no pod to place the
    // user on, the call ends there: NoAvailablePodError, not "not confirmed", although a write on
    // the same connection waits for the hung replica (and the script queues behind its WAIT).
    replica.freeze();
    try {
      const pending = executor.setLinkedPod(NS, 'p1', SVC, 1, -1).catch((e: unknown) => e);
      await expect(executor.computeLinkedPod(NS, 'nobody', 'no-pods', -1)).rejects.toBeInstanceOf(
        NoAvailablePodError,
      );
      expect(await pending).toMatchObject({ reason: 'not confirmed by replicas' });
    } finally {
      replica.thaw();
    }
    await replica.waitUntilReplicating();
  });

  it('a reconnection between a write and its WAIT leaves the write unconfirmed', async () => {
    // While the replica hangs, WAIT blocks; killing the connection then makes ioredis resend WAIT
    // on a new socket, where its answer would speak for that socket's writes, not for this one.
    replica.freeze();
    try {
      const write = executor.setLinkedPod(NS, 'r1', SVC, 1, -1).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await master.command('CLIENT', 'KILL', 'TYPE', 'normal');
      const error = await write;
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect(error).toMatchObject({ reason: 'not confirmed by replicas' });
      expect((error as Error).message).toMatch(/re-established after the write/);
    } finally {
      replica.thaw();
    }
    await replica.waitUntilReplicating();
    await expect(executor.setLinkedPod(NS, 'r1', SVC, 2, -1)).resolves.toBe(1);
  });

  it('a hung replica: writes fail fast and typed, saying they were not confirmed; reads go on', async () => {
    await executor.setLinkedPod(NS, 'h1', SVC, 1, -1);
    replica.freeze();
    try {
      const started = Date.now();
      const error = await executor.setLinkedPod(NS, 'h1', SVC, 2, -1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toMatch(/not confirmed by replicas \(0 of 1 within 300 ms;/);
      expect(Date.now() - started).toBeLessThan(1_500);
      await expect(executor.setServiceState(NS, SVC, 2, 'Ready')).rejects.toThrow(
        /not confirmed by replicas/,
      );
      // The write may have happened on the master: it is not trusted, but it is there.
      await expect(executor.getLinkedPod(NS, 'h1', SVC)).resolves.toBe(2);
    } finally {
      replica.thaw();
    }
    await replica.waitUntilReplicating();
    await expect(executor.setLinkedPod(NS, 'h1', SVC, 3, -1)).resolves.toBe(2);
  });
});

/**
 * The third fault: a master whose only replica hangs (SIGSTOP), configured to refuse
 * writes with `min-replicas-to-write 1`. Redis notices only once the replica's lag passes
 * `min-replicas-max-lag` (1 s here; 10 s by default): until then the master takes writes the
 * replica never sees. With the option on, none of them is acknowledged.
 */
describe('durability: a hung replica under min-replicas-to-write 1, under load', () => {
  let master: RedisServer;
  let replica: RedisServer;
  const LAG_S = 1;

  beforeAll(async () => {
    master = await RedisServer.start([
      '--min-replicas-to-write',
      '1',
      '--min-replicas-max-lag',
      String(LAG_S),
    ]);
    replica = await RedisServer.startReplica(master);
  }, 60_000);
  afterAll(async () => {
    replica?.thaw();
    await replica?.destroy();
    await master?.destroy();
  });
  afterEach(stopAllLoads);

  for (const setting of ['off', 'on'] as const) {
    it(`option ${setting}: ${setting === 'on' ? 'no call started after the freeze is acknowledged; failures are typed and fast' : 'the master acknowledges writes its replica never sees until the lag passes'}`, async () => {
      const { app, executor } = await startLibraryApp({
        redis: { url: master.url, commandTimeoutMs: 2_000 },
        ...(setting === 'on' ? { durability: { replicas: 1, timeoutMs: 200 } } : {}),
      });
      try {
        const load = new LinkLoad(executor, `frozen-${setting}`);
        load.start();
        await load.waitForSuccesses(300);
        replica.freeze();
        const frozenAt = Date.now();
        await new Promise((resolve) => setTimeout(resolve, (LAG_S + 2) * 1_000));
        const unreplicated = load.acknowledgedStartingAfter(frozenAt);
        const report = await load.stop();
        replica.thaw();
        console.log(
          `hung replica, min-replicas-to-write 1, durability ${setting}: ${unreplicated} calls started after the freeze were acknowledged; ` +
            `${report.failed} failed (all RedisUnavailableError: ${report.unexpected.length === 0}); slowest call ${report.slowestMs} ms`,
        );
        expect(report.unexpected).toEqual([]);
        expect(report.failed).toBeGreaterThan(0);
        if (setting === 'on') {
          expect(unreplicated).toBe(0);
          // Fast: WAIT's 200 ms twice at most (a write may queue behind the WAIT before its own).
          expect(report.slowestMs).toBeLessThan(1_000);
        } else {
          expect(unreplicated).toBeGreaterThan(0);
        }
      } finally {
        replica.thaw();
        await app.close();
      }
      await replica.waitUntilReplicating();
    }, 60_000);
  }
});

describe('durability without a replica', () => {
  const server = { current: undefined as RedisServer | undefined };
  beforeAll(async () => {
    server.current = await RedisServer.start();
  });
  afterAll(() => server.current?.destroy());

  it('no write is acknowledged; with the option off nothing waits', async () => {
    const { app, executor } = await startLibraryApp({
      redis: { url: server.current!.url },
      durability: { replicas: 1, timeoutMs: 50 },
    });
    try {
      await expect(executor.setLinkedPod(NS, 'n1', SVC, 1, -1)).rejects.toThrow(
        /not confirmed by replicas \(0 of 1 within 50 ms;/,
      );
    } finally {
      await app.close();
    }
    const plain = await startLibraryApp({ redis: { url: server.current!.url } });
    try {
      const before = await waitCalls(server.current!);
      await plain.executor.setLinkedPod(NS, 'n2', SVC, 1, -1);
      expect(await waitCalls(server.current!)).toBe(before);
    } finally {
      await plain.app.close();
    }
  });
});

describe('durability without a replica: what a failed call costs', () => {
  const server = { current: undefined as RedisServer | undefined };
  beforeAll(async () => {
    server.current = await RedisServer.start();
  });
  afterAll(() => server.current?.destroy());

  it('one WAIT per failed call: a set, a compute that places, none for a compute that wrote nothing', async () => {
    const redis = server.current!;
    const { app, executor } = await startLibraryApp({
      redis: { url: redis.url },
      durability: { replicas: 1, timeoutMs: 100 },
    });
    const waitsOf = async (call: () => Promise<unknown>) => {
      const before = await waitCalls(redis);
      await expect(call()).rejects.toThrow();
      return (await waitCalls(redis)) - before;
    };
    try {
      expect(await waitsOf(() => executor.setLinkedPod(NS, 'w1', SVC, 1, -1))).toBe(1);
      // No pod: the compute's first script wrote nothing, so it waits for no replica.
      expect(await waitsOf(() => executor.computeLinkedPod(NS, 'w2', SVC, -1))).toBe(0);
      // A pod (reported by another writer): the placement is the one write, one WAIT; its
      // placement count is advisory and waits for none.
      await redis.command('HSET', `sf:{${NS}:state:${SVC}}:load`, '0', `1:${Date.now()}`);
      expect(await waitsOf(() => executor.computeLinkedPod(NS, 'w3', SVC, -1))).toBe(1);
    } finally {
      await app.close();
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

  it("a slot in migration: writes follow ASK, TRYAGAIN and MOVED, and the new master's replica confirms them", async () => {
    const statesKey = `sf:{${NS}:state:mig}`;
    const slot = calculateSlot(statesKey);
    const source = await bed.cluster!.shardOf(slot);
    const target = await bed.cluster!.shardOf((slot + 8_192) % 16_384);
    // A user whose link keys share the slot: a two-key script there gets TRYAGAIN while it moves.
    let uid = 0;
    while (calculateSlot(`sf:{${NS}:lk:m${uid}}`) !== slot) uid++;
    await target.master.command('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source.id);
    await source.master.command('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', target.id);

    // A key the source does not have: ASK, then ASKING and the write on the target.
    await bed.executor.setServiceState(NS, 'mig', 1, 'Ready');
    const count = async (server: RedisServer) =>
      Number((await server.command('CLUSTER', 'COUNTKEYSINSLOT', String(slot))).trim());
    expect(await count(target.master)).toBe(1);
    expect(await count(target.replica!)).toBe(1);
    expect(await count(source.master)).toBe(0);

    // Several keys, all missing: TRYAGAIN until the slot has moved, then MOVED to the target.
    const link = bed.executor.setLinkedPod(NS, `m${uid}`, SVC, 6, -1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const node of [target.master, source.master]) {
      await node.command('CLUSTER', 'SETSLOT', String(slot), 'NODE', target.id);
    }
    await expect(link).resolves.toBeNull();
    // The states hash, the link, the user's hash and the link's epoch key.
    expect(await count(target.replica!)).toBe(4);
    await expect(bed.executor.getLinkedPod(NS, `m${uid}`, SVC)).resolves.toBe(6);
  });
});
