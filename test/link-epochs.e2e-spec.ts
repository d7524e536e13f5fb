import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { StatefulExecutorService, StatefulModule, StatefulPodAgent } from '../src';
import { VARIANTS } from './support/key-layouts';
import { useTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

const SVC = 'game';

/**
 * SPEC §10, fencing epochs: every link has an epoch that only grows for its (ns, uid, svc), kept in
 * an additive key of the user's slot; the originals' keys and values stay what they were.
 */
describe.each(VARIANTS)('fencing epochs ($name)', ({ topology, keys }) => {
  const bed = useTestbed(topology, { keyLayout: keys.layout });
  const NS = keys.ns;
  const link = (uid: string) => keys.link(uid, SVC);
  const epochKey = (uid: string) => keys.epoch(uid, SVC);
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await bed.flush();
  });

  async function app(options: Partial<Parameters<typeof StatefulModule.forRoot>[0]> = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          podTableTtlMs: 0,
          keyLayout: keys.layout,
          ...options,
          redis: bed.redisOptions,
        }),
      ],
    }).compile();
    const nest = await moduleRef.createNestApplication({ logger: false }).init();
    apps.push(nest);
    return nest;
  }

  async function pods(...loads: number[]) {
    for (const [pod, load] of loads.entries()) {
      await bed.executor.reportPodStatus(NS, SVC, pod, { load, state: 'Ready' });
    }
  }

  it('compute issues an epoch from the Redis clock, keeps it, and owner checks hold to it', async () => {
    await pods(0, 5);
    const before = (await bed.redisTimeMs()) * 1000;
    const first = await bed.executor.computeLinkedPod(NS, 'u1', SVC, -1);
    expect(first.created).toBe(true);
    expect(Number.isSafeInteger(first.epoch)).toBe(true);
    expect(first.epoch).toBeGreaterThanOrEqual(before);
    expect(first.epoch).toBeLessThan(before + 60_000_000);
    const again = await bed.executor.computeLinkedPod(NS, 'u1', SVC, -1);
    expect(again).toEqual({ podId: first.podId, created: false, epoch: first.epoch });
    expect(await bed.executor.getLink(NS, 'u1', SVC)).toEqual({
      podId: first.podId,
      epoch: first.epoch,
      persistent: true,
    });
    const { executor } = bed;
    expect(await executor.isLinkOwner(NS, 'u1', SVC, first.podId, first.epoch)).toBe(true);
    expect(await executor.isLinkOwner(NS, 'u1', SVC, first.podId, first.epoch - 1)).toBe(false);
    expect(await executor.isLinkOwner(NS, 'u1', SVC, 1 - first.podId, first.epoch)).toBe(false);
    expect(await executor.isLinkOwner(NS, 'nobody', SVC, 0, first.epoch)).toBe(false);
    expect(await executor.getLink(NS, 'nobody', SVC)).toBeNull();
    // The originals' keys hold what they always held; the epoch lies beside them, in the same slot.
    expect(await bed.raw.get(link('u1'))).toBe(String(first.podId));
    expect(await bed.raw.hgetall(keys.userLinks('u1'))).toEqual({ [SVC]: String(first.podId) });
    expect(await bed.raw.get(epochKey('u1'))).toBe(`${first.epoch}:${first.podId}`);
    if (topology === 'cluster') {
      const slot = (key: string) => bed.raw.call('CLUSTER', 'KEYSLOT', key);
      expect(await slot(epochKey('u1'))).toBe(await slot(link('u1')));
    }
  });

  it('a write to another pod issues a greater epoch; one to the same pod keeps it, with the link TTL', async () => {
    const { executor } = bed;
    await executor.setLinkedPod(NS, 'u2', SVC, 1, -1);
    const one = (await executor.getLink(NS, 'u2', SVC))!;
    await executor.setLinkedPod(NS, 'u2', SVC, 1, -1);
    expect((await executor.getLink(NS, 'u2', SVC))!.epoch).toBe(one.epoch);
    // The same pod, now temporary: the epoch stays, its key takes the link's TTL.
    await executor.setLinkedPod(NS, 'u2', SVC, 1, 300);
    expect(await executor.getLink(NS, 'u2', SVC)).toEqual({
      podId: 1,
      epoch: one.epoch,
      persistent: false,
    });
    expect(await bed.raw.ttl(epochKey('u2'))).toBeGreaterThan(290);
    expect(await bed.raw.ttl(link('u2'))).toBeGreaterThan(290);
    // setIfAbsent on an existing link keeps it, and persistence, for both keys.
    expect(await executor.setLinkedPodIfAbsent(NS, 'u2', SVC, 4, -1)).toBe(1);
    expect(await bed.raw.ttl(epochKey('u2'))).toBe(-1);
    expect((await executor.getLink(NS, 'u2', SVC))!.epoch).toBe(one.epoch);
    await executor.setLinkedPod(NS, 'u2', SVC, 2, -1);
    const two = (await executor.getLink(NS, 'u2', SVC))!;
    expect(two.epoch).toBeGreaterThan(one.epoch);
    expect(await executor.isLinkOwner(NS, 'u2', SVC, 1, one.epoch)).toBe(false);
    // trySet over a temporary link to another pod takes it over with a new epoch.
    await executor.setLinkedPod(NS, 'u2', SVC, 2, 300);
    expect((await executor.trySetLinkedPod(NS, 'u2', SVC, 3, -1)).success).toBe(true);
    const three = (await executor.getLink(NS, 'u2', SVC))!;
    expect(three.epoch).toBeGreaterThan(two.epoch);
    expect(await executor.isLinkOwner(NS, 'u2', SVC, 3, three.epoch)).toBe(true);
  });

  it('epochs keep growing across remove and re-create; the epoch key goes with the link', async () => {
    const { executor } = bed;
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      await executor.setLinkedPod(NS, 'u3', SVC, i % 2, -1);
      seen.push((await executor.getLink(NS, 'u3', SVC))!.epoch);
      await executor.removeLinkedPod(NS, 'u3', SVC, -1);
      expect(await bed.raw.exists(epochKey('u3'))).toBe(0);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
    // A release into the grace period keeps the epoch for as long as the link.
    await executor.setLinkedPod(NS, 'u3', SVC, 1, -1);
    const kept = (await executor.getLink(NS, 'u3', SVC))!.epoch;
    await executor.removeLinkedPodWithId(NS, 'u3', SVC, 1, 120);
    expect(await bed.raw.ttl(epochKey('u3'))).toBeGreaterThan(110);
    // The user comes back within the grace period: same pod, same epoch.
    expect(await executor.computeLinkedPod(NS, 'u3', SVC, -1)).toMatchObject({
      podId: 1,
      epoch: kept,
    });
  });

  it('an epoch ahead of the clock is not reissued after a removal', async () => {
    const { executor } = bed;
    await executor.setLinkedPod(NS, 'u4', SVC, 1, -1);
    // As if issued faster than one per microsecond: ten seconds ahead of the Redis clock.
    const ahead = (await bed.redisTimeMs()) * 1000 + 10_000_000;
    await bed.raw.set(epochKey('u4'), `${ahead}:1`);
    await executor.removeLinkedPod(NS, 'u4', SVC, -1);
    expect(await bed.raw.pttl(epochKey('u4'))).toBeGreaterThan(5_000);
    await executor.setLinkedPod(NS, 'u4', SVC, 1, -1);
    expect((await executor.getLink(NS, 'u4', SVC))!.epoch).toBe(ahead + 1);
  });

  it('a link an original moved has no epoch: old owner checks fail, the next compute issues one', async () => {
    await pods(0, 0, 0);
    const { executor } = bed;
    const first = await executor.computeLinkedPod(NS, 'u5', SVC, -1, { excludePods: [1, 2] });
    expect(first.podId).toBe(0);
    // The Go/Java original moves the user as it always did: the link key and the user's hash only.
    await bed.raw.set(link('u5'), '2');
    await bed.raw.hset(keys.userLinks('u5'), SVC, '2');
    expect(await executor.getLink(NS, 'u5', SVC)).toEqual({ podId: 2, epoch: 0, persistent: true });
    expect(await executor.isLinkOwner(NS, 'u5', SVC, 0, first.epoch)).toBe(false);
    expect(await executor.isLinkOwner(NS, 'u5', SVC, 2, first.epoch)).toBe(false);
    const next = await executor.computeLinkedPod(NS, 'u5', SVC, -1);
    expect(next.podId).toBe(2);
    expect(next.epoch).toBeGreaterThan(first.epoch);
    expect(await executor.isLinkOwner(NS, 'u5', SVC, 2, next.epoch)).toBe(true);
    // A link an original created has none either, until compute issues one.
    await bed.raw.set(link('u6'), '1');
    expect((await executor.getLink(NS, 'u6', SVC))!.epoch).toBe(0);
    expect((await executor.computeLinkedPod(NS, 'u6', SVC, -1)).epoch).toBeGreaterThan(0);
  });

  it('healing: only the call that moved the user says movedFrom; every racer gets the new epoch', async () => {
    await pods(0, 0, 0);
    const gateways = [bed.executor, (await app()).get(StatefulExecutorService)];
    const uids = Array.from({ length: 100 }, (_, i) => `heal-${i}`);
    const before = new Map<string, number>();
    for (const uid of uids) {
      const placed = await bed.executor.computeLinkedPod(NS, uid, SVC, -1, {
        excludePods: [1, 2],
      });
      before.set(uid, placed.epoch);
    }
    await bed.executor.setServiceState(NS, SVC, 0, 'Shutdown');
    const answers = await Promise.all(
      uids.flatMap((uid) => gateways.map((g) => g.computeLinkedPod(NS, uid, SVC, -1))),
    );
    for (let i = 0; i < uids.length; i++) {
      const [a, b] = [answers[2 * i], answers[2 * i + 1]];
      expect(a.podId).toBe(b.podId);
      expect(a.epoch).toBe(b.epoch);
      expect(a.epoch).toBeGreaterThan(before.get(uids[i])!);
      expect([a.movedFrom, b.movedFrom].filter((pod) => pod === 0)).toHaveLength(1);
      expect(await bed.executor.isLinkOwner(NS, uids[i], SVC, 0, before.get(uids[i])!)).toBe(false);
    }
  });

  it("the link cache carries epochs and drops them on another client's write; owner checks read Redis", async () => {
    await pods(0, 0);
    const cached = (await app({ cache: { maxEntries: 1_000 } })).get(StatefulExecutorService);
    const other = (await app()).get(StatefulExecutorService);
    const placed = await cached.computeLinkedPod(NS, 'c1', SVC, -1, { excludePods: [1] });
    // Read-your-writes: the cache answers with the epoch the claim issued.
    expect(await cached.getLink(NS, 'c1', SVC)).toEqual({
      podId: 0,
      epoch: placed.epoch,
      persistent: true,
    });
    await other.setLinkedPod(NS, 'c1', SVC, 1, -1);
    const moved = (await other.getLink(NS, 'c1', SVC))!;
    // Owner checks never answer from the cache, even before the invalidation arrives.
    expect(await cached.isLinkOwner(NS, 'c1', SVC, 0, placed.epoch)).toBe(false);
    expect(await cached.isLinkOwner(NS, 'c1', SVC, 1, moved.epoch)).toBe(true);
    await waitUntil(
      async () => (await cached.getLink(NS, 'c1', SVC))?.epoch === moved.epoch,
      'the cached link takes the new epoch',
    );
    expect(await cached.computeLinkedPod(NS, 'c1', SVC, -1)).toEqual({
      podId: 1,
      created: false,
      epoch: moved.epoch,
    });
    // A compute with a TTL keeps a persistent link persistent: the cache does not guess otherwise.
    await cached.computeLinkedPod(NS, 'c1', SVC, 300);
    expect(await bed.raw.ttl(link('c1'))).toBe(-1);
    expect((await cached.getLink(NS, 'c1', SVC))!.persistent).toBe(true);
    // A write to the epoch key alone is a change to the link for the cache.
    await bed.raw.set(epochKey('c1'), `${moved.epoch + 5}:1`);
    await waitUntil(
      async () => (await cached.getLink(NS, 'c1', SVC))?.epoch === moved.epoch + 5,
      'an epoch key write evicts the cached link',
    );
  });

  it('an epoch key of the wrong type fails a write before anything is written', async () => {
    const { executor } = bed;
    await bed.raw.hset(epochKey('w1'), 'x', '1');
    await expect(executor.setLinkedPod(NS, 'w1', SVC, 1, -1)).rejects.toThrow(/WRONGTYPE/);
    await expect(executor.computeLinkedPod(NS, 'w1', SVC, -1)).rejects.toThrow();
    expect(await bed.raw.exists(link('w1'), keys.userLinks('w1'))).toBe(0);
    // On an existing link: neither the link nor the user's hash changes.
    await bed.raw.del(epochKey('w1'));
    await executor.setLinkedPod(NS, 'w1', SVC, 1, -1);
    await bed.raw.del(epochKey('w1'));
    await bed.raw.hset(epochKey('w1'), 'x', '1');
    await expect(executor.setLinkedPod(NS, 'w1', SVC, 2, 60)).rejects.toThrow(/WRONGTYPE/);
    await expect(executor.removeLinkedPod(NS, 'w1', SVC, -1)).rejects.toThrow(/WRONGTYPE/);
    expect(await bed.raw.get(link('w1'))).toBe('1');
    expect(await bed.raw.ttl(link('w1'))).toBe(-1);
    expect(await bed.raw.hgetall(keys.userLinks('w1'))).toEqual({ [SVC]: '1' });
  });

  it('StatefulPodAgent.owns checks its own pod', async () => {
    await pods(0, 0, 0);
    const pod = (await app({ pod: { namespace: NS, service: SVC, podId: 2, load: () => 0 } })).get(
      StatefulPodAgent,
    );
    const placed = await bed.executor.computeLinkedPod(NS, 'p1', SVC, -1, {
      excludePods: [0, 1],
    });
    expect(placed.podId).toBe(2);
    expect(await pod.owns('p1', placed.epoch)).toBe(true);
    expect(await pod.owns('p1', placed.epoch + 1)).toBe(false);
    await bed.executor.setLinkedPod(NS, 'p1', SVC, 0, -1);
    expect(await pod.owns('p1', placed.epoch)).toBe(false);
    await expect(pod.owns('p1', 0)).rejects.toMatchObject({ field: 'epoch' });
    await expect(pod.owns('a{b', 5)).rejects.toMatchObject({ field: 'uid' });
  });
});
