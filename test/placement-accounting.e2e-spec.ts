import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { StatefulExecutorService, StatefulModule } from '../src';
import { VARIANTS } from './support/key-layouts';
import { useTestbed } from './support/stateful-testbed';

const SVC = 'game';

/**
 * SPEC §10, placement counts its own placements: until a pod's next report, every gateway's view of
 * its load includes the users placed on it since, shared through Redis (`<pod>:placed` in the
 * service's info hash), each worth `loadPerUser`.
 */
describe.each(VARIANTS)('placement accounting ($name)', ({ topology, keys }) => {
  const bed = useTestbed(topology, { keyLayout: keys.layout });
  const NS = keys.ns;
  const INFO_KEY = keys.info(SVC);
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await bed.flush();
  });

  /** Another gateway process, with the default pod table (1000 ms) of a real deployment. */
  async function gateway(): Promise<StatefulExecutorService> {
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ keyLayout: keys.layout, redis: bed.redisOptions })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    apps.push(app);
    return app.get(StatefulExecutorService);
  }

  async function linksPerPod(uids: string[]): Promise<number[]> {
    const counts = [0, 0, 0];
    for (const uid of uids) counts[Number(await bed.raw.get(keys.link(uid, SVC)))]++;
    return counts;
  }

  it('a burst of 300 new users through two gateways fills three pods up to equal loads', async () => {
    const [a, b] = await Promise.all([gateway(), gateway()]);
    for (const [pod, load] of [
      [0, 0],
      [1, 5],
      [2, 10],
    ]) {
      await a.reportPodStatus(NS, SVC, pod, { load, state: 'Ready' });
    }
    const uids = Array.from({ length: 300 }, (_, i) => `burst-${i}`);
    // Both gateways at once, 20 calls in flight each; no pod reports during the burst.
    let next = 0;
    await Promise.all(
      Array.from({ length: 40 }, async (_, worker) => {
        const g = worker % 2 === 0 ? a : b;
        while (next < uids.length) await g.computeLinkedPod(NS, uids[next++], SVC, -1);
      }),
    );
    const counts = await linksPerPod(uids);
    console.log(
      `placement accounting (${topology}): 300 users onto loads 0/5/10 -> ${counts.join('/')}`,
    );
    // Water-filling: 105 + 0 = 100 + 5 = 95 + 10.
    [105, 100, 95].forEach((expected, pod) => {
      expect(
        Math.abs(counts[pod] - expected),
        `pod ${pod}: ${counts.join('/')}`,
      ).toBeLessThanOrEqual(expected * 0.1);
    });
    // Shared through Redis: the counts every gateway reads.
    const info = await bed.raw.hgetall(INFO_KEY);
    const placed = [0, 1, 2].map((pod) => Number(info[`${pod}:placed`]?.split(':')[0] ?? 0));
    expect(placed).toEqual(counts);
  });

  it("a pod's next report starts its count afresh; loadPerUser 0 counts nothing", async () => {
    const g = await gateway();
    await g.reportPodStatus(NS, SVC, 0, { load: 0 });
    await g.reportPodStatus(NS, SVC, 1, { load: 3 });
    for (let i = 0; i < 3; i++) await g.computeLinkedPod(NS, `first-${i}`, SVC, -1);
    // Pod 0 had 3 placed: it now looks as loaded as pod 1; ties go to either.
    expect(await linksPerPod(['first-0', 'first-1', 'first-2'])).toEqual([3, 0, 0]);
    // Its report says 0 again (the users left): the count restarts from that report.
    await g.reportPodStatus(NS, SVC, 0, { load: 0 });
    await expect(g.computeLinkedPod(NS, 'after-report', SVC, -1)).resolves.toMatchObject({
      podId: 0,
    });
    const info = await bed.raw.hgetall(INFO_KEY);
    expect(info['0:placed']).toMatch(/^1:\d+$/);
    await bed.flush();
    await g.reportPodStatus(NS, SVC, 0, { load: 0 });
    await g.reportPodStatus(NS, SVC, 1, { load: 3 });
    for (let i = 0; i < 5; i++) {
      await g.computeLinkedPod(NS, `uncounted-${i}`, SVC, -1, { loadPerUser: 0 });
    }
    expect(await bed.raw.hget(INFO_KEY, '0:placed')).toBeNull();
  });

  it('a user whose link exists costs no more Redis calls than before', async () => {
    const g = await gateway();
    await g.reportPodStatus(NS, SVC, 0, { load: 0 });
    await g.computeLinkedPod(NS, 'known', SVC, -1);
    await g.computeLinkedPod(NS, 'known', SVC, -1); // the pod table is warm now
    const calls = async () =>
      (await Promise.all(bed.masters().map((node) => node.info('commandstats'))))
        .flatMap((text) => [
          ...text.matchAll(/^cmdstat_(?:evalsha|eval|evalsha_ro|eval_ro|hincrby):calls=(\d+)/gm),
        ])
        .reduce((sum, match) => sum + Number(match[1]), 0);
    const before = await calls();
    for (let i = 0; i < 10; i++) await g.computeLinkedPod(NS, 'known', SVC, -1);
    expect((await calls()) - before).toBe(10);
  });
});
