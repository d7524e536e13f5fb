import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  LinkCache,
  RedisHealthIndicator,
  StatefulExecutorService,
  StatefulModule,
  type StatefulModuleOptions,
} from '../src';
import { LinkLoad, auditUsers, stopAllLoads } from './support/link-load';
import { RedisSentinelGroup } from './support/redis-sentinel-group';
import type { RedisServer } from './support/redis-server';
import { waitUntil } from './support/wait-until';

afterEach(stopAllLoads);

/** A Sentinel group and a Nest app on it, for one suite; fields are filled in beforeAll. */
interface SentinelBed {
  group: RedisSentinelGroup;
  app: INestApplication;
  executor: StatefulExecutorService;
}

function useSentinelApp(options: Omit<StatefulModuleOptions, 'redis'> = {}): SentinelBed {
  const bed = {} as SentinelBed;
  beforeAll(async () => {
    bed.group = await RedisSentinelGroup.start();
    const sentinel = { sentinels: bed.group.sentinels, name: RedisSentinelGroup.MASTER_NAME };
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({ ...options, redis: { sentinel, commandTimeoutMs: 1_000 } }),
      ],
    }).compile();
    bed.app = await moduleRef.createNestApplication({ logger: false }).init();
    bed.executor = bed.app.get(StatefulExecutorService);
  }, 60_000);
  afterAll(async () => {
    await bed.app?.close();
    // ioredis' sentinel helper connections settle within a second after close; killing the sentinel
    // sooner leaves one retrying against a dead port, which keeps the test worker alive.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await bed.group?.destroy();
  });
  return bed;
}

/** Sentinel smoke suite and failover: the client finds the master through Sentinel and follows a failover. */
describe('Sentinel', () => {
  const bed = useSentinelApp();
  let group: RedisSentinelGroup;
  let executor: StatefulExecutorService;
  beforeAll(() => {
    ({ group, executor } = bed);
  });

  /** Writes a marker until it shows up on `newMaster`; returns when it did. */
  const untilWritesReach = async (newMaster: RedisServer): Promise<number> => {
    const deadline = Date.now() + 20_000;
    for (let i = 0; Date.now() < deadline; i++) {
      try {
        await executor.setLinkedPod('sen', 'marker', 'game', i % 1000, -1);
        if ((await newMaster.command('GET', 'sf:{sen:lk:marker}game')) === `${i % 1000}\n`)
          return Date.now();
      } catch {
        // switching over
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('writes never reached the new master');
  };

  it('serves every kind of operation through the master Sentinel names', async () => {
    await executor.reportPodLoad('sen', 'game', 2, 1);
    await expect(executor.computeLinkedPod('sen', 'u1', 'game', -1)).resolves.toEqual({
      podId: 2,
      created: true,
      epoch: expect.any(Number),
    });
    await expect(executor.trySetLinkedPod('sen', 'u1', 'game', 3, -1)).resolves.toEqual({
      success: false,
      podId: 2,
    });
    await expect(executor.getLinkService('sen', 'u1')).resolves.toEqual(new Map([['game', 2]]));
    expect(await group.master.command('GET', 'sf:{sen:lk:u1}game')).toBe('2\n');
    await expect(bed.app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: 1 },
    });
  });

  it('follows SENTINEL FAILOVER to the new master under load', async () => {
    const load = new LinkLoad(executor, 'sentinel');
    load.start();
    await load.waitForSuccesses(300);
    const oldMaster = await group.masterPort();
    const faultAt = Date.now();
    await group.failover();
    const switchedAt = Date.now();
    expect(await group.masterPort()).not.toBe(oldMaster);
    expect(await group.masterPort()).toBe(group.replica.port);
    // Until the old master is demoted it still accepts writes: wait until ours land on the new one.
    const followedAt = await untilWritesReach(group.replica);
    await load.waitForSuccesses(500);
    const report = await load.stop();
    const audit = await auditUsers(executor, load, report, followedAt);
    console.log(
      `Sentinel failover: ${report.succeeded} calls succeeded, ${report.failed} failed (all RedisUnavailableError: ` +
        `${report.unexpected.length === 0}); new master named ${switchedAt - faultAt} ms and written to ` +
        `${followedAt - faultAt} ms after SENTINEL FAILOVER; slowest call ${report.slowestMs} ms; ` +
        `${audit.users} users; acknowledged claims lost: ${audit.lost}`,
    );
    expect(report.unexpected).toEqual([]);
    expect(report.slowestMs).toBeLessThan(2_500);
    expect(audit.hashMismatches).toBe(0);
    // Claims the old master acknowledged during the switch can be lost (README); none after it.
    expect(audit.disagreeingSince).toBe(0);
    await expect(executor.getLinkedPod('sen', 'u1', 'game')).resolves.toBe(2);
  }, 60_000);
});

/** The link cache behind Sentinel: its listener follows the master, and no stale link survives a failover. */
describe('Sentinel with the link cache', () => {
  const bed = useSentinelApp({ cache: { maxEntries: 100 } });
  let group: RedisSentinelGroup;
  let executor: StatefulExecutorService;
  let cache: LinkCache;
  /** Another client, on the master of the moment (a Sentinel client could still be on the old one). */
  let writer: Redis;
  const USERS = Array.from({ length: 20 }, (_, i) => `c${i}`);
  const key = (uid: string) => `sf:{sen:lk:${uid}}game`;

  beforeAll(() => {
    ({ group, executor } = bed);
    cache = bed.app.get(LinkCache);
    writer = new Redis(group.master.port, '127.0.0.1');
  });
  afterAll(() => writer?.disconnect());

  /** Another client links every user to `pod`; this process must follow. */
  const expectFollows = async (pod: number) => {
    await Promise.all(USERS.map((uid) => writer.set(key(uid), String(pod))));
    await waitUntil(
      async () => {
        const answers = await Promise.all(
          USERS.map((uid) => executor.getLinkedPod('sen', uid, 'game')),
        );
        return answers.every((answer) => answer === pod);
      },
      `every user answered as linked to ${pod}`,
      // Right after the failover this process may still be switching masters.
      20_000,
      10,
    );
  };

  /**
   * Every user cached, then read again: all from the cache. (A read that overlapped Redis's report
   * of the write before it is rightly not stored, hence the warm-up.)
   */
  const expectHits = async (pod: number) => {
    await waitUntil(
      async () => {
        for (const uid of USERS) await executor.getLinkedPod('sen', uid, 'game');
        return cache.stats().entries === USERS.length;
      },
      'every user cached',
      5_000,
      10,
    );
    const hits = cache.stats().hits;
    for (const uid of USERS) expect(await executor.getLinkedPod('sen', uid, 'game')).toBe(pod);
    expect(cache.stats().hits - hits).toBe(USERS.length);
  };

  it('SENTINEL FAILOVER: the listener moves to the new master and changes are followed', async () => {
    await waitUntil(() => Promise.resolve(cache.stats().tracking), 'tracking', 10_000, 20);
    await expectFollows(1);
    await expectHits(1);
    await group.failover();
    await waitUntil(
      async () => (await group.replica.command('ROLE')).startsWith('master'),
      'replica promoted',
    );
    writer.disconnect();
    writer = new Redis(group.replica.port, '127.0.0.1');
    await expectFollows(2);
    await waitUntil(
      async () =>
        cache.stats().tracking &&
        (await group.replica.command('CLIENT', 'LIST')).includes('name=stateful-link-cache'),
      'the listener on the new master',
      20_000,
      50,
    );
    // From here a change made on the new master reaches the cache directly.
    await expectFollows(3);
    await expectHits(3);
    await expectFollows(4);
  }, 90_000);
});

/**
 * The same failover with `durability` (SPEC §8): a claim is acknowledged only once the replica has
 * it, so the claims the old master took alone during the switch fail instead of being lost.
 */
describe('Sentinel failover with durability: { replicas: 1 }', () => {
  const bed = useSentinelApp({ durability: { replicas: 1, timeoutMs: 200 } });

  it('loses no acknowledged claim; the calls of the switch fail, typed', async () => {
    const load = new LinkLoad(bed.executor, 'durable');
    load.start();
    await load.waitForSuccesses(300);
    const faultAt = Date.now();
    await bed.group.failover();
    // Until the old master follows the new one, the new master has no replica: writes fail.
    await load.waitForSuccesses(500, 30_000);
    const report = await load.stop();
    const audit = await auditUsers(bed.executor, load, report, 0);
    console.log(
      `Sentinel failover, durability on: ${report.succeeded} calls succeeded, ${report.failed} failed ` +
        `(all RedisUnavailableError: ${report.unexpected.length === 0}); last failure ` +
        `${report.lastFailureAt === undefined ? '-' : report.lastFailureAt - faultAt} ms after the failover; ` +
        `slowest call ${report.slowestMs} ms; ${audit.users} users; acknowledged claims lost: ${audit.lost}`,
    );
    expect(report.unexpected).toEqual([]);
    expect(audit.users).toBeGreaterThan(100);
    expect(audit.hashMismatches).toBe(0);
    expect(audit.lost).toBe(0);
  }, 90_000);
});
