import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { LinkCache, StatefulExecutorService, StatefulModule } from '../src';
import { VARIANTS } from './support/key-layouts';
import { TOPOLOGIES, useTestbed, type StatefulTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

const NS = 'cache';
const SVC = 'game';
/** How long a change by another client may take to reach this process's answers, in these tests. */
const COHERENCE_BOUND_MS = 1_000;

/** Sum of `cmdstat_<name>` calls over every master: what the process really sent to Redis. */
async function commandCalls(bed: StatefulTestbed, names: string[]): Promise<number> {
  let total = 0;
  for (const node of bed.masters()) {
    const info = await node.info('commandstats');
    for (const name of names) {
      const match = new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(info);
      if (match) total += Number(match[1]);
    }
  }
  return total;
}

/** Commands a read may send. Redis counts a script's own commands too: GET inside a script is one. */
const READS = ['get', 'evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'hgetall', 'hmget', 'mget'];
/** Scripts, reads among them (EVALSHA_RO, which a write pause lets through). */
const SCRIPTS = ['evalsha', 'eval', 'evalsha_ro', 'eval_ro'];

/** A synchronous condition for waitUntil. */
const holds = (condition: () => boolean) => () => Promise.resolve(condition());

async function untilTracking(cache: LinkCache): Promise<void> {
  await waitUntil(
    holds(() => cache.stats().tracking),
    'link cache tracking',
    10_000,
    20,
  );
}

/** Polls `read` until it returns `expected`; returns the time that took. */
async function timeUntil<T>(read: () => Promise<T>, expected: T): Promise<number> {
  const start = performance.now();
  while ((await read()) !== expected) {
    if (performance.now() - start > COHERENCE_BOUND_MS) {
      throw new Error(`still not ${String(expected)} after ${COHERENCE_BOUND_MS} ms`);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return performance.now() - start;
}

describe.each(VARIANTS)('link cache ($name)', ({ topology, keys }) => {
  // A pod table kept for a second, as in production: computeLinkedPod answers a cached link only
  // when the table says its pod is not gone.
  const bed = useTestbed(topology, {
    keyLayout: keys.layout,
    cache: { maxEntries: 1_000 },
    podTableTtlMs: 1_000,
  });
  const NS = keys.ns;
  const cache = () => bed.app.get(LinkCache);
  const get = (uid: string) => bed.executor.getLinkedPod(NS, uid, SVC);
  const linkKey = (uid: string) => keys.link(uid, SVC);

  beforeEach(async () => {
    await bed.flush();
    // FLUSHALL empties the cache too: start each test from a tracking, empty cache. A test that
    // flushed the scripts would make the next count NOSCRIPT retries as calls: load them back.
    await untilTracking(cache());
    await bed.registry.loadAll();
  });

  it('answers a second read from memory, without a Redis command', async () => {
    await bed.executor.setLinkedPod(NS, 'u1', SVC, 4, -1);
    await waitUntil(
      holds(() => cache().stats().entries === 0),
      'own write invalidated',
      2_000,
      5,
    );
    expect(await get('u1')).toBe(4);
    const before = await commandCalls(bed, READS);
    const hits = cache().stats().hits;
    for (let i = 0; i < 100; i++) expect(await get('u1')).toBe(4);
    expect(await commandCalls(bed, READS)).toBe(before);
    expect(cache().stats().hits - hits).toBe(100);
  });

  it('computeLinkedPod on a persistent link is a hit; on a temporary link it goes to Redis', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 1, { load: 0, state: 'Ready' });
    const placed = await bed.executor.computeLinkedPod(NS, 'p1', SVC, -1);
    await new Promise((resolve) => setTimeout(resolve, 50)); // its own invalidation
    await bed.executor.computeLinkedPod(NS, 'p1', SVC, -1); // cached again by this call
    const before = await commandCalls(bed, READS);
    for (let i = 0; i < 20; i++) {
      await expect(bed.executor.computeLinkedPod(NS, 'p1', SVC, -1)).resolves.toEqual({
        podId: placed.podId,
        created: false,
        epoch: expect.any(Number),
      });
    }
    expect(await commandCalls(bed, READS)).toBe(before);

    // A temporary link: compute must refresh its TTL in Redis every time.
    await bed.executor.setLinkedPod(NS, 't1', SVC, 1, 100);
    await bed.executor.getLinkedPod(NS, 't1', SVC);
    const beforeTemporary = await commandCalls(bed, SCRIPTS);
    await bed.executor.computeLinkedPod(NS, 't1', SVC, 200);
    expect(await commandCalls(bed, SCRIPTS)).toBeGreaterThan(beforeTemporary);
    const ttl = await bed.raw.ttl(linkKey('t1'));
    expect(ttl).toBeGreaterThan(150);
  });

  it('drops a link another client changes, moves or deletes, within the bound, and never answers it again', async () => {
    await bed.raw.set(linkKey('u2'), '5');
    expect(await get('u2')).toBe(5);
    expect(await get('u2')).toBe(5); // from the cache

    await bed.raw.set(linkKey('u2'), '6');
    const changed = await timeUntil(() => get('u2'), 6);
    for (let i = 0; i < 200; i++) expect(await get('u2')).toBe(6);

    await bed.raw.del(linkKey('u2'));
    const deleted = await timeUntil(() => get('u2'), null);
    for (let i = 0; i < 200; i++) expect(await get('u2')).toBeNull();
    console.log(
      `${topology}: change seen after ${changed.toFixed(2)} ms, delete after ${deleted.toFixed(2)} ms`,
    );
    expect(cache().stats().invalidations).toBeGreaterThan(0);
  });

  it('follows a second library instance that moves a user', async () => {
    const other = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          keyLayout: keys.layout,
          redis: bed.redisOptions,
          cache: { maxEntries: 100 },
        }),
      ],
    }).compile();
    const otherApp = await other.createNestApplication({ logger: false }).init();
    try {
      const otherExecutor = otherApp.get(StatefulExecutorService);
      await untilTracking(otherApp.get(LinkCache));
      await otherExecutor.setLinkedPod(NS, 'u3', SVC, 1, -1);
      expect(await get('u3')).toBe(1);
      expect(await otherExecutor.getLinkedPod(NS, 'u3', SVC)).toBe(1);
      // Healing-style move by the other instance, then a removal.
      await otherExecutor.setLinkedPod(NS, 'u3', SVC, 2, -1);
      await timeUntil(() => get('u3'), 2);
      await bed.executor.removeLinkedPod(NS, 'u3', SVC, -1);
      await timeUntil(() => otherExecutor.getLinkedPod(NS, 'u3', SVC), null);
    } finally {
      await otherApp.close();
    }
  });

  it("answers this process's own writes at once (read-your-writes), under concurrent reads", async () => {
    let reading = true;
    const readers = Array.from({ length: 4 }, async () => {
      // Hits resolve at once: yield to I/O, or the writes below would never be answered.
      while (reading) {
        await get('u4');
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    try {
      for (let pod = 0; pod < 100; pod++) {
        await bed.executor.setLinkedPod(NS, 'u4', SVC, pod, -1);
        expect(await get('u4')).toBe(pod);
      }
      await bed.executor.removeLinkedPod(NS, 'u4', SVC, -1);
      expect(await get('u4')).toBeNull();
    } finally {
      reading = false;
      await Promise.all(readers);
    }
  });

  it('keeps a temporary link no longer than its TTL', async () => {
    await bed.executor.setLinkedPod(NS, 'u5', SVC, 3, 1);
    expect(await get('u5')).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await get('u5')).toBeNull();
  });

  it('empties itself on FLUSHALL, and survives SCRIPT FLUSH', async () => {
    await bed.raw.set(linkKey('u6'), '2');
    expect(await get('u6')).toBe(2);
    const flushes = cache().stats().flushes['redis flush'];
    await bed.flush();
    await waitUntil(
      holds(() => cache().stats().flushes['redis flush'] > flushes),
      'flush message',
      COHERENCE_BOUND_MS,
      5,
    );
    expect(cache().stats().entries).toBe(0);
    expect(await get('u6')).toBeNull();

    await bed.raw.set(linkKey('u6'), '3');
    expect(await get('u6')).toBe(3);
    await bed.flushScripts();
    await bed.raw.set(linkKey('u6'), '4');
    await timeUntil(() => get('u6'), 4);
    await bed.raw.del(linkKey('u6'));
    await timeUntil(() => get('u6'), null);
  });

  it('200 concurrent computes on one new user: one pod, all agree, one compute call', async () => {
    await bed.executor.getServiceState(NS, SVC); // warm connections
    for (const pod of [1, 2, 3]) {
      await bed.executor.reportPodStatus(NS, SVC, pod, { load: pod, state: 'Ready' });
    }
    const before = await commandCalls(bed, SCRIPTS);
    const results = await Promise.all(
      Array.from({ length: 200 }, () => bed.executor.computeLinkedPod(NS, 'new', SVC, -1)),
    );
    const calls = (await commandCalls(bed, SCRIPTS)) - before;
    const pods = new Set(results.map((result) => result.podId));
    expect(pods.size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(Number(await bed.raw.get(linkKey('new')))).toBe([...pods][0]);
    // The compute script, the pod table's read, the claim and the placement's count: the 199
    // others shared them.
    expect(calls).toBeLessThanOrEqual(4);
  });

  it('concurrent identical reads share one Redis call', async () => {
    await bed.raw.set(linkKey('u7'), '9');
    const before = await commandCalls(bed, SCRIPTS);
    const answers = await Promise.all(Array.from({ length: 50 }, () => get('u7')));
    expect(new Set(answers)).toEqual(new Set([9]));
    // One statefulGetLink for all 50.
    expect((await commandCalls(bed, SCRIPTS)) - before).toBe(1);
  });

  it('keeps at most maxEntries links, least recently used out first', async () => {
    await Promise.all(Array.from({ length: 1_200 }, (_, i) => bed.raw.set(linkKey(`e${i}`), '1')));
    await bed.raw.set(linkKey('hot'), '2');
    expect(await get('hot')).toBe(2);
    for (let i = 0; i < 1_200; i++) {
      await get(`e${i}`);
      if (i % 100 === 0) expect(await get('hot')).toBe(2);
    }
    const stats = cache().stats();
    expect(stats.entries).toBeLessThanOrEqual(1_000);
    expect(stats.evictions).toBeGreaterThanOrEqual(200);
    // The link read all along is still there; the first ones read once are not.
    const before = await commandCalls(bed, SCRIPTS);
    expect(await get('hot')).toBe(2);
    expect(await commandCalls(bed, SCRIPTS)).toBe(before);
    expect(await get('e0')).toBe(1);
    expect(await commandCalls(bed, SCRIPTS)).toBe(before + 1);
  });
});

/**
 * With the cache off, computes under way are shared; reads are not (a plain GET each: sharing them
 * cost more than the GET it saves, docs/decisions.md).
 */
describe.each(TOPOLOGIES)('shared calls with the cache off (%s)', (topology) => {
  const bed = useTestbed(topology);

  it('concurrent identical reads each send their GET, and nothing is kept', async () => {
    const key = `sf:{${NS}:lk:s1}${SVC}`;
    await bed.raw.set(key, '4');
    const before = await commandCalls(bed, ['get']);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => bed.executor.getLinkedPod(NS, 's1', SVC)),
    );
    expect(new Set(answers)).toEqual(new Set([4]));
    expect((await commandCalls(bed, ['get'])) - before).toBe(50);
  });

  it('200 concurrent computes on one new user make one compute and one claim', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 1, { load: 0, state: 'Ready' });
    const before = await commandCalls(bed, SCRIPTS);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => bed.executor.computeLinkedPod(NS, 's3', SVC, -1)),
    );
    expect(new Set(answers.map((answer) => answer.podId))).toEqual(new Set([1]));
    expect(new Set(answers.map((answer) => answer.epoch)).size).toBe(1);
    expect(answers.filter((answer) => answer.created)).toHaveLength(1);
    // The compute script, the pod table read and the claim; the placement count goes with the claim.
    expect((await commandCalls(bed, SCRIPTS)) - before).toBeLessThanOrEqual(4);
  });

  it('computes with different options do not share a call', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 1, { load: 0, state: 'Ready' });
    await bed.executor.reportPodStatus(NS, SVC, 2, { load: 5, state: 'Ready' });
    const [plain, excluding] = await Promise.all([
      bed.executor.computeLinkedPod(NS, 's2', SVC, -1),
      bed.executor.computeLinkedPod(NS, 's2', SVC, -1, { excludePods: [1] }),
    ]);
    // Both went to Redis: one placed the user, the other found that link.
    expect(plain.podId).toBe(excluding.podId);
    expect([plain.created, excluding.created].sort()).toEqual([false, true]);
  });
});

/**
 * SWAPDB changes every key of the database and Redis reports nothing to tracking clients: the cache
 * reads the database's identity every second and empties itself when it is another database.
 */
describe('link cache across SWAPDB (standalone)', () => {
  const bed = useTestbed('standalone', { cache: { maxEntries: 1_000, ttlMs: 600_000 } });

  it('drops every cached link within the check interval, and caches the new database', async () => {
    const cache = bed.app.get(LinkCache);
    await untilTracking(cache);
    const uids = Array.from({ length: 100 }, (_, i) => `swap-${i}`);
    for (const uid of uids) await (bed.raw as Redis).set(`sf:{${NS}:lk:${uid}}${SVC}`, '3');
    for (const uid of uids) expect(await bed.executor.getLinkedPod(NS, uid, SVC)).toBe(3);
    for (const uid of uids) expect(await bed.executor.getLinkedPod(NS, uid, SVC)).toBe(3);
    expect(cache.stats().entries).toBe(100);
    // Swapped with an empty database: Redis invalidates only keys the other database holds, so
    // here it reports nothing at all.
    await (bed.raw as Redis).swapdb(0, 1);
    await waitUntil(
      holds(() => cache.stats().flushes['database swapped'] > 0),
      'the swap noticed',
      3_000,
      20,
    );
    for (const uid of uids) expect(await bed.executor.getLinkedPod(NS, uid, SVC)).toBeNull();
    // The new database's links are cached, and followed, as before.
    await (bed.raw as Redis).set(`sf:{${NS}:lk:swap-0}${SVC}`, '6');
    await timeUntil(() => bed.executor.getLinkedPod(NS, 'swap-0', SVC), 6);
  }, 30_000);
});

/** Tracking is per connection: losing it (a Redis restart) must empty the cache before any answer. */
describe('link cache across a Redis restart (standalone)', () => {
  const bed = useTestbed('standalone', {
    cache: { maxEntries: 100 },
    redis: { commandTimeoutMs: 500 },
  });

  it('never serves a link Redis lost, and caches again once tracking is back', async () => {
    const cache = bed.app.get(LinkCache);
    await untilTracking(cache);
    await bed.executor.setLinkedPod(NS, 'r1', SVC, 7, -1);
    await waitUntil(
      holds(() => cache.stats().entries === 0),
      'own write invalidated',
      2_000,
      5,
    );
    expect(await bed.executor.getLinkedPod(NS, 'r1', SVC)).toBe(7);
    expect(cache.stats().entries).toBe(1);

    await bed.server!.restart(); // SIGKILL: nothing kept
    await waitUntil(
      holds(() => !cache.stats().tracking),
      'tracking lost',
      5_000,
      10,
    );
    expect(cache.stats().entries).toBe(0);
    expect(cache.stats().flushes['tracking lost']).toBeGreaterThan(0);
    await waitUntil(
      async () => (await bed.executor.getLinkedPod(NS, 'r1', SVC)) === null,
      'reads after the restart',
      10_000,
    );
    await untilTracking(cache);
    await (bed.raw as Redis).set(`sf:{${NS}:lk:r1}${SVC}`, '8');
    expect(await bed.executor.getLinkedPod(NS, 'r1', SVC)).toBe(8);
    expect(await bed.executor.getLinkedPod(NS, 'r1', SVC)).toBe(8);
    await (bed.raw as Redis).set(`sf:{${NS}:lk:r1}${SVC}`, '9');
    await timeUntil(() => bed.executor.getLinkedPod(NS, 'r1', SVC), 9);
  }, 60_000);
});

/**
 * A Cluster failover moves writes to a master this process did not listen to: the cache must still
 * never answer a link Redis changed, and must listen to the new master once it knows it.
 */
describe('link cache across Cluster failovers', () => {
  const bed = useTestbed('cluster', {
    cache: { maxEntries: 1_000 },
    redis: { commandTimeoutMs: 1_000 },
  });
  const USERS = Array.from({ length: 60 }, (_, i) => `f${i}`);
  const read = (uid: string) => bed.executor.getLinkedPod(NS, uid, SVC);

  /** Every user linked to `pod` by another client, and read (so cached) by this process. */
  const linkAndCache = async (pod: number) => {
    await Promise.all(USERS.map((uid) => bed.raw.set(`sf:{${NS}:lk:${uid}}${SVC}`, String(pod))));
    await Promise.all(USERS.map((uid) => timeUntil(() => read(uid), pod)));
  };

  /** Another client moves every user to `pod`; this process must follow within the bound. */
  const expectFollows = async (pod: number) => {
    await Promise.all(USERS.map((uid) => bed.raw.set(`sf:{${NS}:lk:${uid}}${SVC}`, String(pod))));
    await Promise.all(USERS.map((uid) => timeUntil(() => read(uid), pod)));
    for (const uid of USERS) expect(await read(uid)).toBe(pod);
  };

  it('CLUSTER FAILOVER: changes are followed throughout, then the new master is listened to', async () => {
    const cache = bed.app.get(LinkCache);
    await untilTracking(cache);
    await linkAndCache(1);
    const { replica } = await bed.cluster!.masterWithReplica();
    await bed.cluster!.failoverTo(replica);
    // Before this process noticed, the demoted master still relays the new master's changes.
    await expectFollows(2);
    // A write of this process meets MOVED, its client reloads the slot map: listeners follow.
    await Promise.all(USERS.map((uid) => bed.executor.setLinkedPod(NS, uid, SVC, 3, -1)));
    await waitUntil(
      holds(() => cache.stats().flushes['topology changed'] > 0 && cache.stats().tracking),
      'listeners following the new masters',
      10_000,
      20,
    );
    await linkAndCache(4);
    await expectFollows(5);
  }, 90_000);

  it('a killed master: the cache empties at once and serves only what Redis holds after the takeover', async () => {
    const cache = bed.app.get(LinkCache);
    await untilTracking(cache);
    await linkAndCache(6);
    const lostBefore = cache.stats().flushes['tracking lost'];
    const { master, replica } = await bed.cluster!.masterWithReplica();
    await master.stop();
    await waitUntil(
      holds(() => cache.stats().flushes['tracking lost'] > lostBefore),
      'tracking lost',
      5_000,
      10,
    );
    await bed.cluster!.waitUntilPromoted(replica);
    // Whatever the takeover kept, answers are what Redis holds now.
    await waitUntil(
      async () => {
        for (const uid of USERS) {
          const stored = await bed.raw.get(`sf:{${NS}:lk:${uid}}${SVC}`);
          if ((await read(uid)) !== (stored === null ? null : Number(stored))) return false;
        }
        return true;
      },
      'answers matching Redis after the takeover',
      20_000,
    );
    await waitUntil(
      holds(() => cache.stats().tracking),
      'tracking back',
      20_000,
      20,
    );
    await linkAndCache(7);
    await expectFollows(8);
  }, 90_000);
});

/** A client handed in with ioredis' own keyPrefix: Redis reports its keys with that prefix. */
describe('link cache with a client keyPrefix (standalone)', () => {
  const bed = useTestbed('standalone');

  it('tracks and drops the prefixed keys', async () => {
    const own = new Redis(bed.server!.url, { keyPrefix: 'tenant-a:' });
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ redis: { client: own }, cache: { maxEntries: 10 } })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const cache = app.get(LinkCache);
      const executor = app.get(StatefulExecutorService);
      await untilTracking(cache);
      await bed.raw.set(`tenant-a:sf:{${NS}:lk:k1}${SVC}`, '1');
      expect(await executor.getLinkedPod(NS, 'k1', SVC)).toBe(1);
      expect(await executor.getLinkedPod(NS, 'k1', SVC)).toBe(1);
      expect(cache.stats().hits).toBe(1);
      await bed.raw.set(`tenant-a:sf:{${NS}:lk:k1}${SVC}`, '2');
      await timeUntil(() => executor.getLinkedPod(NS, 'k1', SVC), 2);
      expect(cache.stats().invalidations).toBe(1);
    } finally {
      await app.close();
      own.disconnect();
    }
  });
});
