import { Test } from '@nestjs/testing';
import { StatefulModule, StatefulValidationError } from '../src';
import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

const NS = 'prod';
const SVC = 'game';
const LOAD_KEY = `sf:{${NS}:state:${SVC}}:load`;
const INFO_KEY = `sf:{${NS}:state:${SVC}}:info`;

/**
 * SPEC §10, failure detection in beats: a pod that stated its period is gone after `missedBeats` of
 * them; the others after goneAfterMs (default 90000). Report ages are set on the Redis clock by
 * writing the load hash as the report script does, so no test waits for time to pass.
 */
describe.each(TOPOLOGIES)('failure detection in beats (%s)', (topology) => {
  const bed = useTestbed(topology);
  afterEach(() => bed.flush());

  /** Pod 0, linked to `uid`, whose last report is `ageMs` old; pod 1 fresh, to move to. */
  async function podReportedAgo(ageMs: number, everyMs?: number, uid = 'u1'): Promise<void> {
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 1, state: 'Ready', everyMs });
    await bed.executor.reportPodStatus(NS, SVC, 1, { load: 5, state: 'Ready', everyMs: 1_000 });
    await bed.executor.setLinkedPod(NS, uid, SVC, 0, -1);
    await reportAgeOfPod0(ageMs, everyMs);
  }

  /** Pod 0's last report made `ageMs` ago, as the report script writes it (with its period). */
  async function reportAgeOfPod0(ageMs: number, everyMs?: number): Promise<void> {
    const stamp = (await bed.redisTimeMs()) - ageMs;
    await bed.raw.hset(LOAD_KEY, '0', `1:${stamp}`);
    if (everyMs !== undefined) await bed.raw.hset(INFO_KEY, '0:everyMs', `${everyMs}:${stamp}`);
  }

  it('keeps the stated period in an additive hash, and forgets it with the pod', async () => {
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 1, everyMs: 5_000 });
    // Reports name their millisecond on the Redis clock: the next one in a later millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 2 }); // a report without a period
    // Its period holds for the report that stated it, which it names: not for the one after.
    const load = await bed.raw.hget(LOAD_KEY, '0');
    expect(load).toMatch(/^2:\d+$/); // the originals' value, as it was
    expect(await bed.raw.hget(INFO_KEY, '0:everyMs')).toMatch(/^5000:\d+$/);
    expect(await bed.raw.hget(INFO_KEY, '0:everyMs')).not.toBe(`5000:${load!.split(':')[1]}`);
    await bed.executor.reportPodStatus(NS, SVC, 0, { load: 3, everyMs: 5_000 });
    const stated = (await bed.raw.hget(LOAD_KEY, '0'))!.split(':')[1];
    expect(await bed.raw.hget(INFO_KEY, '0:everyMs')).toBe(`5000:${stated}`);
    await bed.executor.removeServicePod(NS, SVC, 0);
    expect(await bed.raw.exists(INFO_KEY)).toBe(0);
  });

  it('a pod that stated 1000 ms keeps its users 2 s after its last report (a long GC pause)', async () => {
    await podReportedAgo(2_000, 1_000);
    await expect(bed.executor.computeLinkedPod(NS, 'u1', SVC, -1)).resolves.toEqual({
      podId: 0,
      created: false,
      epoch: expect.any(Number),
    });
  });

  it('a pod that stated 1000 ms is gone after three missed beats: its user moves', async () => {
    await podReportedAgo(3_100, 1_000);
    await expect(bed.executor.computeLinkedPod(NS, 'u1', SVC, -1)).resolves.toEqual({
      podId: 1,
      created: false,
      epoch: expect.any(Number),
      movedFrom: 0,
    });
  });

  it('missedBeats and an explicit goneAfterMs decide instead, the latter winning', async () => {
    await podReportedAgo(3_100, 1_000);
    await expect(
      bed.executor.computeLinkedPod(NS, 'u1', SVC, -1, { missedBeats: 4 }),
    ).resolves.toMatchObject({ podId: 0 });
    await expect(
      bed.executor.computeLinkedPod(NS, 'u1', SVC, -1, { missedBeats: 1, goneAfterMs: 60_000 }),
    ).resolves.toMatchObject({ podId: 0 });
    await expect(
      bed.executor.computeLinkedPod(NS, 'u1', SVC, -1, { goneAfterMs: 3_000 }),
    ).resolves.toEqual({ podId: 1, created: false, epoch: expect.any(Number), movedFrom: 0 });
  });

  it('a period holds for the report that stated it: a later report without one ends it', async () => {
    await podReportedAgo(20_000, 10_000); // within 3 x 10 s
    await expect(bed.executor.computeLinkedPod(NS, 'u1', SVC, -1)).resolves.toMatchObject({
      podId: 0,
    });
    // A report without a period (another writer, reportPodLoad, a Java pod): the 90 s rule.
    await bed.executor.reportPodLoad(NS, SVC, 0, 1);
    await reportAgeOfPod0(40_000);
    await expect(bed.executor.computeLinkedPod(NS, 'u1', SVC, -1)).resolves.toMatchObject({
      podId: 0,
    });
    await podReportedAgo(40_000, 10_000, 'u2'); // stated 10 s: gone after 30 s
    await expect(bed.executor.computeLinkedPod(NS, 'u2', SVC, -1)).resolves.toEqual({
      podId: 1,
      created: false,
      epoch: expect.any(Number),
      movedFrom: 0,
    });
  });

  it("a pod that never stated a period (the originals' pods) is gone after 90000 ms", async () => {
    await podReportedAgo(60_000);
    await expect(bed.executor.computeLinkedPod(NS, 'u1', SVC, -1)).resolves.toMatchObject({
      podId: 0,
    });
    await podReportedAgo(90_500, undefined, 'u2');
    await expect(bed.executor.computeLinkedPod(NS, 'u2', SVC, -1)).resolves.toEqual({
      podId: 1,
      created: false,
      epoch: expect.any(Number),
      movedFrom: 0,
    });
  });

  it('a gone pod is not picked for a new user, though its report is fresher than maxAgeMs', async () => {
    await podReportedAgo(3_100, 1_000);
    // Pod 0's load (1) is below pod 1's (5), and its report is fresh by maxAgeMs (30000 ms).
    for (let i = 0; i < 5; i++) {
      await expect(bed.executor.computeLinkedPod(NS, `new-${i}`, SVC, -1)).resolves.toMatchObject({
        podId: 1,
      });
    }
  });

  it('refuses a bad everyMs or missedBeats, naming it, without touching Redis', async () => {
    for (const everyMs of [99, 3_600_001, 1.5, '500', null]) {
      await expect(
        bed.executor.reportPodStatus(NS, SVC, 0, { load: 1, everyMs } as never),
      ).rejects.toMatchObject({ field: 'report.everyMs' });
    }
    for (const missedBeats of [0, 101, 2.5, '3']) {
      await expect(
        bed.executor.computeLinkedPod(NS, 'u', SVC, -1, { missedBeats } as never),
      ).rejects.toBeInstanceOf(StatefulValidationError);
    }
    expect(await bed.keys()).toEqual([]);
  });
});

describe('StatefulPodAgent states its period', () => {
  const bed = useTestbed('standalone');

  it('sends reportEveryMs with every report', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: bed.redisOptions,
          pod: { namespace: NS, service: SVC, podId: 4, reportEveryMs: 250, load: () => 0 },
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      await waitUntil(
        async () => /^250:\d+$/.test((await bed.raw.hget(INFO_KEY, '4:everyMs')) ?? ''),
        'a report',
      );
    } finally {
      await app.close();
    }
  });
});
