import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  NoAvailablePodError,
  RedisConnectionPool,
  StatefulExecutorService,
  StatefulModule,
  StatefulPodAgent,
  type ComputeLinkResult,
  type StatefulModuleOptions,
} from '../src';
import { GO_KEYS, VARIANTS, type LayoutKeys } from './support/key-layouts';
import { useTestbed, type StatefulTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

const NS = GO_KEYS.ns;
const SVC = 'game';
const GONE_AFTER_MS = 1_500;
const USERS = 1_000;

async function startApp(options: StatefulModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot(options)],
  }).compile();
  return moduleRef.createNestApplication({ logger: false }).init();
}

/**
 * Script calls the deployment's masters have served so far (INFO commandstats, EVALSHA and EVAL):
 * every call of computeLinkedPod is scripts only, so their count per compute is its Redis calls.
 */
async function scriptCalls(bed: StatefulTestbed): Promise<number> {
  const stats = await Promise.all(bed.masters().map((node) => node.info('commandstats')));
  return stats
    .flatMap((text) => [
      ...text.matchAll(/^cmdstat_(?:evalsha|eval|evalsha_ro|eval_ro):calls=(\d+)/gm),
    ])
    .reduce((sum, match) => sum + Number(match[1]), 0);
}

/** The link of every user of the service, as stored (uid -> pod), read key by key. */
async function storedLinks(
  bed: StatefulTestbed,
  keys: LayoutKeys,
  uids: string[],
): Promise<Map<string, number>> {
  const links = new Map<string, number>();
  for (const uid of uids) {
    const value = await bed.raw.get(keys.link(uid, SVC));
    const listed = await bed.raw.hget(keys.userLinks(uid), SVC);
    // Persistent links are listed in the user's hash, temporary ones are not.
    const persistent = (await bed.raw.ttl(keys.link(uid, SVC))) === -1;
    expect(listed).toBe(persistent ? value : null);
    if (value !== null) links.set(uid, Number(value));
  }
  return links;
}

/**
 * SPEC §6 as a user meets it: pods come and go under gateways, and the store stays true. Pod agents
 * and gateways are separate Nest apps with their own connections, as separate processes would be.
 */
describe.each(VARIANTS)('pod lifecycle ($name)', ({ topology, keys }) => {
  const bed = useTestbed(topology, { keyLayout: keys.layout });
  const NS = keys.ns;
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close().catch(() => undefined)));
    await bed.flush();
  });

  const agent = async (podId: number, load: () => number) => {
    const app = await startApp({
      keyLayout: keys.layout,
      redis: bed.redisOptions,
      pod: { namespace: NS, service: SVC, podId, reportEveryMs: 200, load },
    });
    apps.push(app);
    return app;
  };
  const gateway = async (options: Partial<StatefulModuleOptions> = {}) => {
    const app = await startApp({ keyLayout: keys.layout, redis: bed.redisOptions, ...options });
    apps.push(app);
    return app.get(StatefulExecutorService);
  };

  it('one pod shut down, one simply stopped: every user lands on a live pod, moved ones once, the rest untouched', async () => {
    const pods = await Promise.all([0, 1, 2].map((id) => agent(id, () => 10)));
    const gateways = [await gateway(), await gateway()];
    const uids = Array.from({ length: USERS }, (_, i) => `user-${i}`);
    const compute = (uid: string, i: number) =>
      gateways[i % 2].computeLinkedPod(NS, uid, SVC, -1, { goneAfterMs: GONE_AFTER_MS });

    const placed = await Promise.all(uids.map(compute));
    const before = new Map(uids.map((uid, i) => [uid, placed[i].podId]));
    expect(new Set(before.values())).toEqual(new Set([0, 1, 2]));

    // Pod 0 shuts down (reports Shutdown); pod 1 dies without a word: its reports stop and age.
    apps.splice(apps.indexOf(pods[0]), 1);
    await pods[0].close();
    for (const client of pods[1].get(RedisConnectionPool).clients) client.disconnect();
    // Gone once a pod table read made GONE_AFTER_MS after its last report says so: the gateways'
    // tables (podTableTtlMs 1000) may be up to twice that old.
    await new Promise((resolve) => setTimeout(resolve, GONE_AFTER_MS + 2_300));

    const callsBefore = await scriptCalls(bed);
    const after: ComputeLinkResult[] = await Promise.all(uids.map(compute));
    const callsPerCompute = ((await scriptCalls(bed)) - callsBefore) / USERS;
    const again: ComputeLinkResult[] = await Promise.all(uids.map(compute));

    const stored = await storedLinks(bed, keys, uids);
    let moved = 0;
    uids.forEach((uid, i) => {
      const old = before.get(uid)!;
      expect(after[i].podId).toBe(2);
      expect(stored.get(uid)).toBe(2);
      if (old === 2) {
        expect(after[i]).toEqual({ podId: 2, created: false, epoch: expect.any(Number) });
      } else {
        expect(after[i]).toEqual({
          podId: 2,
          created: false,
          epoch: expect.any(Number),
          movedFrom: old,
        });
        moved++;
      }
      // Moved once: the next call finds the user where it was moved.
      expect(again[i]).toEqual({ podId: 2, created: false, epoch: expect.any(Number) });
    });
    const expectedMoved = uids.filter((uid) => before.get(uid) !== 2).length;
    expect(moved).toBe(expectedMoved);
    console.log(
      `pod lifecycle (${topology}): ${USERS} users on 3 pods; pod 0 shut down, pod 1 stopped; ` +
        `${moved} users moved to pod 2 (${USERS - moved} untouched) by ${2 * USERS} computeLinkedPod calls ` +
        `through 2 gateways; ${callsPerCompute.toFixed(2)} Redis calls per compute in the healing round`,
    );
  }, 60_000);

  it('200 concurrent computes on a user whose pod is gone: one new pod, every caller agrees', async () => {
    await gateway().then((g) => g.reportPodLoad(NS, SVC, 1, 5));
    await gateway().then((g) => g.reportPodLoad(NS, SVC, 2, 5));
    const writer = await gateway();
    await writer.reportPodStatus(NS, SVC, 0, { load: 1, state: 'Shutdown' });
    await writer.setLinkedPod(NS, 'hot', SVC, 0, -1);
    const gateways = await Promise.all(Array.from({ length: 4 }, () => gateway()));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => gateways[i % 4].computeLinkedPod(NS, 'hot', SVC, -1)),
    );
    const pods = new Set(results.map((result) => result.podId));
    expect(pods.size).toBe(1);
    const [winner] = pods;
    expect([1, 2]).toContain(winner);
    // Only the call whose compare-and-set moved the user says where it moved from.
    const moved = results.filter((result) => result.movedFrom !== undefined);
    expect(moved).toEqual([
      { podId: winner, created: false, epoch: expect.any(Number), movedFrom: 0 },
    ]);
    expect(await bed.raw.get(keys.link('hot', SVC))).toBe(String(winner));
    expect(await bed.raw.hget(keys.userLinks('hot'), SVC)).toBe(String(winner));
  });

  it('two gateways healing 200 users of a Shutdown pod at once: each user moved once, said once', async () => {
    const [first, second] = await Promise.all([gateway(), gateway()]);
    await first.reportPodLoad(NS, SVC, 1, 5);
    await first.reportPodLoad(NS, SVC, 2, 5);
    await first.reportPodStatus(NS, SVC, 0, { load: 1, state: 'Shutdown' });
    const uids = Array.from({ length: 200 }, (_, i) => `handoff-${i}`);
    for (const uid of uids) await first.setLinkedPod(NS, uid, SVC, 0, -1);
    const answers = await Promise.all(
      uids.flatMap((uid) => [
        first.computeLinkedPod(NS, uid, SVC, -1),
        second.computeLinkedPod(NS, uid, SVC, -1),
      ]),
    );
    for (let i = 0; i < uids.length; i++) {
      const [a, b] = [answers[2 * i], answers[2 * i + 1]];
      expect(a.podId, uids[i]).toBe(b.podId);
      const said = [a, b].filter((answer) => answer.movedFrom !== undefined);
      expect(said, uids[i]).toEqual([
        { podId: a.podId, created: false, epoch: expect.any(Number), movedFrom: 0 },
      ]);
    }
  });

  it('a Draining pod, a slow pod, heal: false and no other pod keep their users', async () => {
    const g = await gateway();
    await g.reportPodLoad(NS, SVC, 0, 1);
    await g.reportPodLoad(NS, SVC, 1, 1);
    await g.setLinkedPod(NS, 'drained', SVC, 0, -1);
    await g.setServiceState(NS, SVC, 0, 'Draining');
    await expect(g.computeLinkedPod(NS, 'drained', SVC, -1)).resolves.toEqual({
      podId: 0,
      created: false,
      epoch: expect.any(Number),
    });
    // Never picked for a new user.
    for (let i = 0; i < 20; i++) {
      await expect(g.computeLinkedPod(NS, `new-${i}`, SVC, -1)).resolves.toMatchObject({
        podId: 1,
      });
    }
    // Slow: its report is older than maxAgeMs (not picked for new users) but not than goneAfterMs
    // (90 s); in the java layout, a Java status older than the 60 s a Java pod's report is fresh.
    const slowSince = await bed.redisTimeMs();
    if (keys.layout === 'go') await bed.raw.hset(keys.loads(SVC), '3', `1:${slowSince - 60_000}`);
    else await bed.raw.hset(keys.states(SVC), '3', `1-${slowSince - 75_000}-1`);
    await g.setLinkedPod(NS, 'slow', SVC, 3, -1);
    await expect(g.computeLinkedPod(NS, 'slow', SVC, -1)).resolves.toEqual({
      podId: 3,
      created: false,
      epoch: expect.any(Number),
    });
    // Shut down, but healing off: kept.
    await g.reportPodStatus(NS, SVC, 3, { load: 1, state: 'Shutdown' });
    await expect(g.computeLinkedPod(NS, 'slow', SVC, -1, { heal: false })).resolves.toEqual({
      podId: 3,
      created: false,
      epoch: expect.any(Number),
    });
    // Shut down and no other eligible pod (1 excluded, 0 draining): kept as it is.
    await expect(g.computeLinkedPod(NS, 'slow', SVC, -1, { excludePods: [1] })).resolves.toEqual({
      podId: 3,
      created: false,
      epoch: expect.any(Number),
    });
    await expect(g.computeLinkedPod(NS, 'slow', SVC, -1)).resolves.toEqual({
      podId: 1,
      created: false,
      epoch: expect.any(Number),
      movedFrom: 3,
    });
  });

  it('a pod that has just started is not taken for gone by a gateway whose table is older than it', async () => {
    const stale = await gateway({ podTableTtlMs: 60_000 });
    const fresh = await gateway({ podTableTtlMs: 0 });
    await fresh.reportPodLoad(NS, SVC, 0, 1);
    await stale.computeLinkedPod(NS, 'first', SVC, -1); // the stale gateway's table: pod 0 only
    await fresh.reportPodLoad(NS, SVC, 5, 0); // pod 5 starts
    await fresh.setLinkedPod(NS, 'newcomer', SVC, 5, -1);
    await expect(stale.computeLinkedPod(NS, 'newcomer', SVC, -1)).resolves.toEqual({
      podId: 5,
      created: false,
      epoch: expect.any(Number),
    });
  });

  it("drain as an operator runs it: scan lists exactly the pod's users, release frees them and nobody else", async () => {
    const g = await gateway();
    for (const pod of [0, 1, 2]) await g.reportPodLoad(NS, SVC, pod, 1);
    const uids = Array.from({ length: 300 }, (_, i) => `u${i}`);
    await Promise.all(
      uids.map((uid, i) => g.setLinkedPod(NS, uid, SVC, i % 3, i % 5 === 0 ? 600 : -1)),
    );
    await g.setLinkedPod(NS, 'u1', 'chat', 1, -1); // another service's link to the same pod id
    await g.setServiceState(NS, SVC, 1, 'Draining');

    const listed: string[] = [];
    for await (const uid of g.scanLinkedUsers(NS, SVC, 1, { count: 50 })) listed.push(uid);
    // Compare with a full listing of the keyspace.
    const expected: string[] = [];
    for (const key of await bed.keys()) {
      const uid = keys.uidOf(key, SVC);
      if (uid !== undefined && (await bed.raw.get(key)) === '1') expected.push(uid);
    }
    expect(listed.sort()).toEqual(expected.sort());
    expect(listed).toHaveLength(100);

    const others = await storedLinks(bed, keys, uids);
    await expect(g.releasePodUsers(NS, SVC, 1)).resolves.toBe(100);
    const after = await storedLinks(bed, keys, uids);
    for (const uid of uids) {
      if (others.get(uid) === 1) expect(after.has(uid)).toBe(false);
      else expect(after.get(uid)).toBe(others.get(uid));
    }
    expect(await bed.raw.get(keys.link('u1', 'chat'))).toBe('1');
    // Their next compute places them elsewhere (pod 1 is draining).
    await expect(g.computeLinkedPod(NS, 'u1', SVC, -1)).resolves.toMatchObject({
      created: true,
      epoch: expect.any(Number),
    });
    expect([0, 2]).toContain(Number(await bed.raw.get(keys.link('u1', SVC))));
  });

  it('release with a TTL keeps the links as temporary ones', async () => {
    const g = await gateway();
    await g.setLinkedPod(NS, 'a', SVC, 4, -1);
    await g.setLinkedPod(NS, 'b', SVC, 4, -1);
    await expect(g.releasePodUsers(NS, SVC, 4, { persistSeconds: 120 })).resolves.toBe(2);
    expect(await bed.raw.ttl(keys.link('a', SVC))).toBeGreaterThan(100);
    expect(await bed.raw.hget(keys.userLinks('a'), SVC)).toBeNull();
  });

  it('pods reported by Java services are placed on, and their Shutdown heals', async () => {
    const g = await gateway({ podTableTtlMs: 0 }); // the Java writer is another process
    // Exactly as the Java original writes its value: HSET <state key> podId LoadInfo.join(load, now, 1).
    await bed.raw.hset(keys.states(SVC), '7', `4-${Date.now()}-1`, '8', `9-${Date.now()}`);
    await expect(g.getServiceState(NS, SVC)).resolves.toEqual(
      new Map([
        [7, 'Ready'],
        [8, 'Ready'],
      ]),
    );
    await expect(g.getPodLoads(NS, SVC)).resolves.toEqual(
      new Map([
        [7, { load: 4, updatedAt: expect.any(Number) }],
        [8, { load: 9, updatedAt: expect.any(Number) }],
      ]),
    );
    await expect(g.computeLinkedPod(NS, 'j', SVC, -1)).resolves.toEqual({
      podId: 7,
      created: true,
      epoch: expect.any(Number),
    });
    await bed.raw.hset(keys.states(SVC), '7', `4-${Date.now()}-0`);
    await expect(g.getServicePodState(NS, SVC, 7)).resolves.toBe('Shutdown');
    await expect(g.computeLinkedPod(NS, 'j', SVC, -1)).resolves.toEqual({
      podId: 8,
      created: false,
      epoch: expect.any(Number),
      movedFrom: 7,
    });
  });

  it("podStatusFormat 'java' writes what Java gateways read (LoadInfo.build)", async () => {
    const g = await gateway({ podStatusFormat: 'java' });
    await g.reportPodStatus(NS, SVC, 3, { load: 12.4 });
    await g.reportPodStatus(NS, SVC, 4, { load: 2, state: 'Shutdown' });
    const now = await bed.redisTimeMs();
    const values = await bed.raw.hgetall(keys.states(SVC));
    expect(javaBuild(values['3'])).toEqual({ load: 12, timestamp: expect.any(Number), state: 1 });
    expect(Math.abs(javaBuild(values['3']).timestamp - now)).toBeLessThan(5_000);
    expect(javaBuild(values['4'])).toMatchObject({ load: 2, state: 0 });
    expect(await bed.raw.exists(keys.loads(SVC))).toBe(0);
    await expect(g.computeLinkedPod(NS, 'x', SVC, -1)).resolves.toEqual({
      podId: 3,
      created: true,
      epoch: expect.any(Number),
    });
  });

  it('the java format keeps a Shutdown through state-less beats, and refuses what Java cannot read', async () => {
    const g = await gateway({ podStatusFormat: 'java' });
    await g.reportPodStatus(NS, SVC, 3, { load: 1, state: 'Shutdown' });
    await g.reportPodStatus(NS, SVC, 3, { load: 2 }); // a late beat must not revive it
    await expect(g.getServicePodState(NS, SVC, 3)).resolves.toBe('Shutdown');
    await g.reportPodStatus(NS, SVC, 3, { load: 2, state: 'Ready' });
    await expect(g.getServicePodState(NS, SVC, 3)).resolves.toBe('Ready');
    await expect(g.reportPodStatus(NS, SVC, 3, { load: 3_000_000_000 })).rejects.toMatchObject({
      field: 'report.load',
    });
  });

  it("the java format: an operator's Draining and Shutdown survive the pod's beats, and Java reads every value", async () => {
    const g = await gateway({ podStatusFormat: 'java' });
    const stateKey = keys.states(SVC);
    const everyValueParses = async () => {
      for (const value of Object.values(await bed.raw.hgetall(stateKey))) javaBuild(value);
    };
    await g.reportPodStatus(NS, SVC, 1, { load: 4 });
    await g.reportPodStatus(NS, SVC, 2, { load: 6 });
    await g.setLinkedPod(NS, 'kept', SVC, 1, -1);
    await g.setServiceState(NS, SVC, 1, 'Draining');
    await g.reportPodStatus(NS, SVC, 1, { load: 5 }); // the pod's next beat
    await everyValueParses();
    expect(javaBuild((await bed.raw.hget(stateKey, '1'))!)).toMatchObject({ load: 5, state: 0 });
    await expect(g.getServicePodState(NS, SVC, 1)).resolves.toBe('Draining');
    expect((await g.getServiceState(NS, SVC)).get(1)).toBe('Draining');
    // Draining keeps its users and takes no new ones, though its load is the lowest.
    await expect(g.computeLinkedPod(NS, 'kept', SVC, -1)).resolves.toMatchObject({ podId: 1 });
    await expect(g.computeLinkedPod(NS, 'new', SVC, -1)).resolves.toMatchObject({ podId: 2 });
    // An operator's Shutdown survives a beat too, and heals the pod's users.
    await g.setServiceState(NS, SVC, 1, 'Shutdown');
    await g.reportPodStatus(NS, SVC, 1, { load: 5 });
    await expect(g.getServicePodState(NS, SVC, 1)).resolves.toBe('Shutdown');
    await expect(g.computeLinkedPod(NS, 'kept', SVC, -1)).resolves.toMatchObject({
      podId: 2,
      movedFrom: 1,
    });
    // Ready again: available to Java, and to this project.
    await g.setServiceState(NS, SVC, 1, 'Ready');
    await everyValueParses();
    expect(javaBuild((await bed.raw.hget(stateKey, '1'))!)).toMatchObject({ state: 1 });
    await g.reportPodStatus(NS, SVC, 1, { load: 0 });
    await expect(g.getServicePodState(NS, SVC, 1)).resolves.toBe('Ready');
    await expect(g.computeLinkedPod(NS, 'newer', SVC, -1)).resolves.toMatchObject({ podId: 1 });
    // A pod that reports Draining itself is held the same way.
    await g.reportPodStatus(NS, SVC, 2, { load: 0, state: 'Draining' });
    await g.reportPodStatus(NS, SVC, 2, { load: 0 });
    await expect(g.getServicePodState(NS, SVC, 2)).resolves.toBe('Draining');
    await everyValueParses();
    // Removing the pod forgets the hold.
    await g.removeServicePod(NS, SVC, 2);
    expect(await bed.raw.hget(`${stateKey}:info`, '2:state')).toBeNull();
  });

  it("a Java pod's report stays eligible for 60 s by default; a call's maxAgeMs still rules", async () => {
    const g = await gateway();
    const stateKey = keys.states(SVC);
    const now = await bed.redisTimeMs();
    await bed.raw.hset(stateKey, '1', `2-${now - 45_000}-1`); // a Java pod whose beat is late
    await bed.raw.hset(`${stateKey}:load`, '2', `1:${now - 45_000}`); // one of ours, as old
    await expect(g.computeLinkedPod(NS, 'j1', SVC, -1)).resolves.toMatchObject({ podId: 1 });
    await expect(
      g.computeLinkedPod(NS, 'j2', SVC, -1, { maxAgeMs: 30_000 }),
    ).rejects.toBeInstanceOf(NoAvailablePodError);
    expect([...(await g.getPodLoads(NS, SVC)).keys()]).toEqual([1]);
    expect((await g.getPodLoads(NS, SVC, 50_000)).size).toBe(2);
  });

  it('healing does not bring back a link removed meanwhile: the move script writes nothing then', async () => {
    const g = await gateway();
    const linkKeys = [
      keys.link('gone-user', SVC),
      keys.userLinks('gone-user'),
      keys.epoch('gone-user', SVC),
    ];
    await expect(bed.registry.run('statefulMoveLink', linkKeys, [SVC, 0, 1, -1])).resolves.toEqual([
      0,
      null,
    ]);
    expect(await bed.raw.exists(linkKeys[0])).toBe(0);
    await g.setLinkedPod(NS, 'gone-user', SVC, 4, -1);
    await expect(bed.registry.run('statefulMoveLink', linkKeys, [SVC, 0, 1, -1])).resolves.toEqual([
      0,
      '4',
      expect.any(Number),
    ]);
    await expect(bed.registry.run('statefulMoveLink', linkKeys, [SVC, 4, 1, -1])).resolves.toEqual([
      1,
      '1',
      expect.any(Number),
    ]);
    expect(await bed.raw.get(linkKeys[0])).toBe('1');
  });

  it('reportPodStatus writes load and state in one script, on the Redis clock', async () => {
    const g = await gateway();
    const before = await bed.redisTimeMs();
    await g.reportPodStatus(NS, SVC, 2, { load: 7, state: 'Draining' });
    await g.reportPodStatus(NS, SVC, 2, { load: 8 });
    await expect(g.getServicePodState(NS, SVC, 2)).resolves.toBe('Draining');
    const loads = await g.getPodLoads(NS, SVC);
    expect(loads.get(2)?.load).toBe(8);
    expect(loads.get(2)!.updatedAt).toBeGreaterThanOrEqual(before);
  });

  it('the pod table: concurrent placements share one read, and a write through the process is seen at once', async () => {
    if (topology !== 'standalone') return; // commandstats are per master; one master keeps the count exact
    const g = await gateway({ podTableTtlMs: 60_000 });
    await g.reportPodLoad(NS, SVC, 0, 1);
    const reads = async () =>
      Number(
        /cmdstat_hgetall:calls=(\d+)/.exec(await bed.masters()[0].info('commandstats'))?.[1] ?? 0,
      );
    const start = await reads();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => g.computeLinkedPod(NS, `t${i}`, SVC, -1)),
    );
    expect((await reads()) - start).toBe(3); // one snapshot: HGETALL of the state, load and info hashes
    await g.reportPodLoad(NS, SVC, 1, 0); // invalidates this process' table
    await expect(g.computeLinkedPod(NS, 'after-write', SVC, -1)).resolves.toEqual({
      podId: 1,
      created: true,
      epoch: expect.any(Number),
    });
  });
});

describe('StatefulPodAgent', () => {
  const bed = useTestbed('standalone');
  afterEach(() => bed.flush());

  const startAgent = (pod: Partial<NonNullable<StatefulModuleOptions['pod']>>) =>
    startApp({
      redis: bed.redisOptions,
      pod: { namespace: NS, service: SVC, load: () => 3, reportEveryMs: 100, ...pod },
    });

  it('takes its pod id from the HOSTNAME ordinal, reports Ready at start, its load, Draining, then Shutdown', async () => {
    const hostname = process.env.HOSTNAME;
    process.env.HOSTNAME = 'game-3';
    let load = 3;
    const app = await startAgent({ load: () => load }).finally(
      () => (process.env.HOSTNAME = hostname),
    );
    const agent = app.get(StatefulPodAgent);
    expect(agent.podId).toBe(3);
    await expect(bed.executor.getServicePodState(NS, SVC, 3)).resolves.toBe('Ready');
    load = 42;
    await waitUntil(
      async () => (await bed.executor.getPodLoads(NS, SVC)).get(3)?.load === 42,
      'a beat',
    );
    await agent.setState('Draining');
    await expect(bed.executor.getServicePodState(NS, SVC, 3)).resolves.toBe('Draining');
    await app.close();
    await expect(bed.executor.getServicePodState(NS, SVC, 3)).resolves.toBe('Shutdown');
  });

  it('refuses to start without a pod id, naming pod.podId', async () => {
    const hostname = process.env.HOSTNAME;
    process.env.HOSTNAME = 'not-a-statefulset-pod';
    const error = await startAgent({})
      .then((app) => app.close())
      .catch((caught: unknown) => caught)
      .finally(() => (process.env.HOSTNAME = hostname));
    expect(error).toMatchObject({ field: 'pod.podId' });
  });

  it('a Ready that could not be written at start is written at a later beat (a previous Shutdown does not stick)', async () => {
    await bed.executor.setServiceState(NS, SVC, 6, 'Shutdown'); // the pod's previous life
    process.kill(bed.server!.pid!, 'SIGSTOP');
    let app: INestApplication | undefined;
    try {
      const starting = startApp({
        redis: { ...bed.redisOptions, commandTimeoutMs: 200, connectTimeoutMs: 200 },
        pod: { namespace: NS, service: SVC, podId: 6, load: () => 1, reportEveryMs: 100 },
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      process.kill(bed.server!.pid!, 'SIGCONT');
      app = await starting;
      await waitUntil(
        async () => (await bed.executor.getServicePodState(NS, SVC, 6)) === 'Ready',
        'Ready to be written',
        10_000,
      );
    } finally {
      process.kill(bed.server!.pid!, 'SIGCONT');
      await app?.close();
    }
  });

  it('rides out a Redis outage: never throws into the app, reports again when Redis is back', async () => {
    const app = await startAgent({ podId: 5 });
    try {
      await bed.server!.stop();
      await new Promise((resolve) => setTimeout(resolve, 400)); // beats fail meanwhile
      await bed.server!.launch();
      await waitUntil(
        async () => (await bed.executor.getPodLoads(NS, SVC)).has(5),
        'a load report',
        10_000,
      );
    } finally {
      await app.close();
    }
  });
});

/** Java's LoadInfo.build: split on '-', Integer.valueOf, Long.valueOf, Integer.valueOf; fails otherwise. */
function javaBuild(value: string): { load: number; timestamp: number; state: number } {
  const parts = value.split('-');
  expect(parts, value).toHaveLength(3);
  for (const part of parts) expect(part, value).toMatch(/^\d+$/);
  return { load: Number(parts[0]), timestamp: Number(parts[1]), state: Number(parts[2]) };
}
