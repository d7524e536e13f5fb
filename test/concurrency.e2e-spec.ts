import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { StatefulExecutorService, StatefulModule } from '../src';
import { VARIANTS } from './support/key-layouts';
import { useTestbed } from './support/stateful-testbed';

/**
 * Many gateway replicas racing on one user must never link it to two pods. Each "replica" is its
 * own Nest app with its own connection pool, so the calls really interleave inside Redis.
 */
describe.each(VARIANTS)('concurrent claims ($name)', ({ topology, keys }) => {
  const ns = keys.ns;
  const REPLICAS = 4;
  const CALLS = 200;
  let apps: INestApplication[] = [];
  let replicas: StatefulExecutorService[];
  // Declared before the test bed so that (hooks run in declaration order) the replicas close first.
  afterAll(() => Promise.all(apps.map((app) => app.close())));
  const bed = useTestbed(topology, { keyLayout: keys.layout });
  const raw = () => bed.raw;

  beforeAll(async () => {
    apps = await Promise.all(
      Array.from({ length: REPLICAS }, async () => {
        const moduleRef = await Test.createTestingModule({
          imports: [
            StatefulModule.forRoot({
              keyLayout: keys.layout,
              redis: { ...bed.redisOptions, poolSize: 4 },
            }),
          ],
        }).compile();
        const app = moduleRef.createNestApplication({ logger: false });
        return app.init();
      }),
    );
    replicas = apps.map((app) => app.get(StatefulExecutorService));
  });
  beforeEach(() => bed.flush());

  const replica = (i: number) => replicas[i % REPLICAS];

  it(`${CALLS} concurrent trySetLinkedPod calls on one user end on exactly one pod`, async () => {
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        replica(i).trySetLinkedPod(ns, 'hot', 'game', i % 10, -1),
      ),
    );
    const stored = Number(await raw().get(keys.link('hot', 'game')));
    expect(new Set(results.map((r) => r.podId))).toEqual(new Set([stored]));
    results.forEach((result, i) => expect(result.success).toBe(i % 10 === stored));
    expect(await raw().hgetall(keys.userLinks('hot'))).toEqual({ game: String(stored) });
  });

  it(`${CALLS} concurrent setLinkedPodIfAbsent calls on one user all get the same pod`, async () => {
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        replica(i).setLinkedPodIfAbsent(ns, 'hot', 'game', i % 7, -1),
      ),
    );
    const stored = Number(await raw().get(keys.link('hot', 'game')));
    expect(new Set(results)).toEqual(new Set([stored]));
  });

  it(`${CALLS} concurrent computeLinkedPod calls on one user: one creates, all agree`, async () => {
    for (let pod = 0; pod < 5; pod++) await replicas[0].reportPodLoad(ns, 'game', pod, 0);
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) => replica(i).computeLinkedPod(ns, 'hot', 'game', -1)),
    );
    const stored = Number(await raw().get(keys.link('hot', 'game')));
    expect(new Set(results.map((r) => r.podId))).toEqual(new Set([stored]));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('racing claims on 50 users at once: every user on exactly one pod, hashes consistent', async () => {
    for (let pod = 0; pod < 8; pod++) await replicas[0].reportPodLoad(ns, 'game', pod, pod % 2);
    const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    const calls = users.flatMap((uid, u) =>
      Array.from({ length: 8 }, (_, k) => {
        const executor = replica(u + k);
        if (k % 3 === 0) return executor.computeLinkedPod(ns, uid, 'game', -1).then((r) => r.podId);
        if (k % 3 === 1) return executor.setLinkedPodIfAbsent(ns, uid, 'game', k, -1);
        return executor.trySetLinkedPod(ns, uid, 'game', k, -1).then((r) => r.podId);
      }).map((promise) => promise.then((podId) => ({ uid, podId }))),
    );
    const results = await Promise.all(calls);
    for (const uid of users) {
      const stored = Number(await raw().get(keys.link(uid, 'game')));
      expect(results.filter((r) => r.uid === uid).every((r) => r.podId === stored)).toBe(true);
      expect(await raw().hget(keys.userLinks(uid), 'game')).toBe(String(stored));
    }
  });
});
