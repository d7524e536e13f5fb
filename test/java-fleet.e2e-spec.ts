import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  LinkCache,
  MalformedEntries,
  StatefulExecutorService,
  StatefulModule,
  type StatefulModuleOptions,
} from '../src';
import { assertJavaStatus, JavaDriver, type JavaLoadInfo } from './support/java-driver';
import { startService, type ServiceTestbed } from './support/service-testbed';
import { useTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

const SVC = 'battle';

/**
 * SPEC §11: this project and a Java fleet on one Redis, in the java key layout. The Java side is
 * JavaDriver, the Java original's driver reproduced from its source (test/support/java-driver.ts):
 * its pods' beats, its gateway's reads and link scripts. After every step, everything in the
 * service's state hash must parse as Java's LoadInfo.build parses it, or a Java gateway's read of
 * the whole service would fail.
 */
describe('a Java fleet and this project on one Redis (java key layout)', () => {
  const bed = useTestbed('standalone', { keyLayout: 'java', podTableTtlMs: 0 });
  const apps: INestApplication[] = [];
  let java: JavaDriver;
  let NS: string;
  beforeAll(() => {
    java = new JavaDriver(bed.raw);
    NS = java.namespace;
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close().catch(() => undefined)));
    await bed.flush();
  });

  async function start(options: Partial<StatefulModuleOptions> = {}): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          keyLayout: 'java',
          podTableTtlMs: 0,
          ...options,
          redis: bed.redisOptions,
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    apps.push(app);
    return app;
  }

  /** A pod of this project, reporting every 100 ms as StatefulPodAgent does. */
  const projectPod = (podId: number, load = 10) =>
    start({ pod: { namespace: NS, service: SVC, podId, reportEveryMs: 100, load: () => load } });

  /** A Java gateway's whole-service read: throws on any value Java cannot parse. */
  async function javaSees(): Promise<Map<number, JavaLoadInfo>> {
    return java.getServiceState(SVC);
  }

  /** Every value this project wrote is exactly `<load>-<ms>-<0|1>`. */
  async function projectValuesAreJavas(podIds: number[]): Promise<void> {
    const values = await bed.raw.hgetall(java.stateKey(SVC));
    for (const podId of podIds) {
      if (values[podId] !== undefined) assertJavaStatus(String(podId), values[podId]);
    }
  }

  /** A Java gateway placing a new user as Java's does: the least-loaded available pod, if absent. */
  async function javaPlaces(uid: string): Promise<number> {
    const pods = [...(await javaSees()).values()].filter((pod) => pod.state === 1);
    pods.sort((a, b) => a.load - b.load);
    return java.setLinkedPodIfAbsent(uid, SVC, pods[0].id, -1);
  }

  it('writes exactly the keys and values the Java driver reads', async () => {
    const executor = bed.executor;
    await executor.setLinkedPod(NS, 'u', SVC, 4, -1);
    await executor.setLinkedPod(NS, 'u', 'chat', 2, 600);
    await executor.reportPodStatus(NS, SVC, 4, { load: 3 });
    await executor.setWorkloadState(NS, SVC, 'Available');
    expect(await bed.keys()).toEqual(
      [
        `slug-lk:{${NS}:u}`,
        `slug-lk:{${NS}:u:${SVC}}`,
        `slug-lk:{${NS}:u:chat}`,
        // Additive, never read by Java (SPEC §10, §11).
        `slug-lk:{${NS}:u:${SVC}}:epoch`,
        `slug-lk:{${NS}:u:chat}:epoch`,
        `slug-state:{${NS}:${SVC}}`,
        `slug-workload:{${NS}:${SVC}}`,
      ].sort(),
    );
    expect(await bed.raw.type(`slug-lk:{${NS}:u}`)).toBe('hash');
    expect(await bed.raw.type(`slug-lk:{${NS}:u:${SVC}}`)).toBe('string');
    // What the Java driver reads of it.
    expect(await java.getLinkedPod('u', SVC)).toBe(4);
    expect(await java.getLinkedPod('u', 'chat')).toBe(2);
    expect(await java.getLinkedPod('nobody', SVC)).toBe(-1);
    expect(await java.getAllLinkService('u')).toEqual({ [SVC]: '4' });
    const now = await bed.redisTimeMs();
    const pods = await javaSees();
    expect([...pods.keys()]).toEqual([4]);
    expect(pods.get(4)).toMatchObject({ id: 4, load: 3, state: 1 });
    expect(Math.abs(pods.get(4)!.timestamp - now)).toBeLessThan(5_000);
    await projectValuesAreJavas([4]);
  });

  it('reads what the Java driver writes, and the Java driver reads what this project changes', async () => {
    const executor = bed.executor;
    await java.setServiceState(SVC, 0, 17, 1);
    await java.setServiceState(SVC, 3, 2, 1);
    await java.setLinkedPod('player-42', SVC, 3, -1);
    await java.setLinkedPod('player-42', 'chat', 1, 600);
    await expect(executor.getLinkedPod(NS, 'player-42', SVC)).resolves.toBe(3);
    await expect(executor.getLinkedPodIfPersist(NS, 'player-42', 'chat')).resolves.toBeNull();
    await expect(executor.getLinkService(NS, 'player-42')).resolves.toEqual(new Map([[SVC, 3]]));
    await expect(executor.getServiceState(NS, SVC)).resolves.toEqual(
      new Map([
        [0, 'Ready'],
        [3, 'Ready'],
      ]),
    );
    expect((await executor.getPodLoads(NS, SVC)).get(0)?.load).toBe(17);
    await expect(executor.computeLinkedPod(NS, 'newcomer', SVC, -1)).resolves.toMatchObject({
      podId: 3,
      created: true,
    });
    expect(await java.getLinkedPod('newcomer', SVC)).toBe(3);
    expect(await java.getAllLinkService('newcomer')).toEqual({ [SVC]: '3' });
    await expect(executor.removeLinkedPodWithId(NS, 'player-42', SVC, 3, -1)).resolves.toBe(true);
    expect(await java.getLinkedPod('player-42', SVC)).toBe(-1);
    expect(await java.getAllLinkService('player-42')).toEqual({});
    // The Java driver's scripts see this project's links and the other way round.
    expect(await java.setLinkedPodIfAbsent('newcomer', SVC, 0, -1)).toBe(3);
    await java.removeLinkedPod('newcomer', SVC, -1);
    await expect(executor.getLink(NS, 'newcomer', SVC)).resolves.toBeNull();
  });

  it('a mixed service: users placed by both sides, drained, released and healed from this project', async () => {
    const executor = bed.executor;
    // Java pods 0 and 1 beat as the Java original does; this project's pods 2 and 3 run the agent.
    await java.setServiceState(SVC, 0, 10, 1);
    await java.setServiceState(SVC, 1, 10, 1);
    const [, podThree] = await Promise.all([projectPod(2), projectPod(3)]);
    await waitUntil(async () => (await javaSees()).size === 4, 'four pods Java can read', 5_000);

    // 200 users: half through this project's gateway, half through a Java gateway.
    const uids = Array.from({ length: 200 }, (_, i) => `user${i}`);
    for (const [i, uid] of uids.entries()) {
      if (i % 2 === 0) await executor.computeLinkedPod(NS, uid, SVC, -1);
      else await javaPlaces(uid);
    }
    const placed = new Map<string, number>();
    for (const uid of uids) {
      const pod = await java.getLinkedPod(uid, SVC);
      expect(await executor.getLinkedPod(NS, uid, SVC)).toBe(pod);
      placed.set(uid, pod);
    }
    // This project's placements count toward the pods' load (SPEC §10): they spread over all four.
    expect(new Set(placed.values())).toEqual(new Set([0, 1, 2, 3]));
    await javaSees();
    await projectValuesAreJavas([2, 3]);

    // Drain this project's pod 2: its own beats keep it drained, and Java sees it unavailable.
    await executor.setServiceState(NS, SVC, 2, 'Draining');
    const drainedAt = await bed.redisTimeMs();
    await waitUntil(
      async () => ((await javaSees()).get(2)?.timestamp ?? 0) > drainedAt + 150,
      "pod 2's next beats",
      5_000,
    );
    expect((await javaSees()).get(2)?.state).toBe(0);
    await expect(executor.getServicePodState(NS, SVC, 2)).resolves.toBe('Draining');
    await projectValuesAreJavas([2, 3]);
    // Its users stay; no new user goes there, from either side.
    const onTwo = uids.filter((uid) => placed.get(uid) === 2);
    await expect(executor.computeLinkedPod(NS, onTwo[0], SVC, -1)).resolves.toMatchObject({
      podId: 2,
      created: false,
    });
    for (let i = 0; i < 10; i++) {
      expect((await executor.computeLinkedPod(NS, `after-drain-${i}`, SVC, -1)).podId).not.toBe(2);
      expect(await javaPlaces(`java-after-drain-${i}`)).not.toBe(2);
    }

    // Release pod 2's users, whoever placed them: the Java gateway finds them unlinked.
    await expect(executor.releasePodUsers(NS, SVC, 2)).resolves.toBe(onTwo.length);
    for (const uid of onTwo) expect(await java.getLinkedPod(uid, SVC)).toBe(-1);

    // Java pod 0 closes (Java's own unavailable); this project's pod 3 shuts down (agent close).
    await java.setServiceState(SVC, 0, 10, 0);
    apps.splice(apps.indexOf(podThree), 1);
    await podThree.close();
    expect((await javaSees()).get(3)?.state).toBe(0);
    await projectValuesAreJavas([2, 3]);
    // Their users are healed onto pod 1, the only one left taking users, and Java reads the moves.
    for (const uid of uids.filter((uid) => [0, 3].includes(placed.get(uid)!))) {
      const result = await executor.computeLinkedPod(NS, uid, SVC, -1);
      expect(result).toMatchObject({ podId: 1, movedFrom: placed.get(uid) });
      expect(await java.getLinkedPod(uid, SVC)).toBe(1);
      expect(await java.getAllLinkService(uid)).toEqual({ [SVC]: '1' });
    }

    // Pod 2 ready again: available to Java at once, and to this project's new users.
    await executor.setServiceState(NS, SVC, 2, 'Ready');
    expect((await javaSees()).get(2)?.state).toBe(1);
    await expect(executor.getServicePodState(NS, SVC, 2)).resolves.toBe('Ready');
    await java.setServiceState(SVC, 1, 500, 1); // pod 1 is busy now
    await expect(executor.computeLinkedPod(NS, 'late', SVC, -1)).resolves.toMatchObject({
      podId: 2,
      created: true,
    });
    await javaSees();
    await projectValuesAreJavas([2, 3]);
  }, 30_000);

  it("drains a Java pod for this project's gateways; Java sees it until that pod's own next beat", async () => {
    const executor = bed.executor;
    await java.setServiceState(SVC, 0, 0, 1);
    await java.setServiceState(SVC, 1, 5, 1);
    await executor.setServiceState(NS, SVC, 0, 'Draining');
    expect((await javaSees()).get(0)?.state).toBe(0);
    // The Java pod does not know of the drain: its next beat says available again, to Java...
    await java.setServiceState(SVC, 0, 0, 1);
    expect((await javaSees()).get(0)?.state).toBe(1);
    // ...while this project's gateways keep it drained (the state is held where Java does not read).
    await expect(executor.getServicePodState(NS, SVC, 0)).resolves.toBe('Draining');
    await expect(executor.computeLinkedPod(NS, 'n', SVC, -1)).resolves.toMatchObject({ podId: 1 });
    await executor.setServiceState(NS, SVC, 0, 'Ready');
    await expect(executor.computeLinkedPod(NS, 'm', SVC, -1)).resolves.toMatchObject({ podId: 0 });
  });

  it("values Java's parser refuses, and plain states, are left out and counted, and never written", async () => {
    const executor = bed.executor;
    const malformed = bed.app.get(MalformedEntries);
    const skipped = () => malformed.totals.get('state') ?? 0;
    const now = await bed.redisTimeMs();
    await bed.raw.hset(
      java.stateKey(SVC),
      '5',
      `-2-${now}-1`, // Java's load function can give -2; its own parser then fails
      '6',
      `9-${now}-1-1`,
      '7',
      `x-${now}-1`,
      '8',
      'Ready', // a plain state has no place in Java's hash
      '9',
      `3-${now}-1`,
    );
    const before = skipped();
    await expect(executor.computeLinkedPod(NS, 'n1', SVC, -1)).resolves.toMatchObject({ podId: 9 });
    expect(skipped()).toBe(before + 4);
    expect([...(await executor.getServiceState(NS, SVC)).keys()]).toEqual([9]);
    // A drain of such a pod holds its state and leaves the unreadable value as it was.
    await executor.setServiceState(NS, SVC, 5, 'Draining');
    expect(await bed.raw.hget(java.stateKey(SVC), '5')).toBe(`-2-${now}-1`);
    // Loads Java could not read are refused before Redis.
    await expect(executor.reportPodStatus(NS, SVC, 9, { load: 2 ** 31 })).rejects.toMatchObject({
      field: 'report.load',
    });
    await expect(executor.reportPodLoad(NS, SVC, 9, 2 ** 31)).rejects.toMatchObject({
      field: 'load',
    });
    // reportPodLoad is a Java status too, rounded to Java's integer, keeping the availability.
    await executor.reportPodLoad(NS, SVC, 10, 2.6);
    expect(assertJavaStatus('10', (await bed.raw.hget(java.stateKey(SVC), '10'))!)).toMatchObject({
      load: 3,
      state: 1,
    });
    expect(await bed.raw.exists(`slug-state:{${NS}:${SVC}}:load`)).toBe(0);
  });

  it('scans and releases the users the Java driver linked, and leaves a Java uid with ":" alone', async () => {
    await java.setLinkedPod('a', SVC, 4, -1);
    await java.setLinkedPod('b', SVC, 4, 600);
    await java.setLinkedPod('c', SVC, 5, -1);
    await java.setLinkedPod('d', 'chat', 4, -1);
    await java.setLinkedPod('e:f', SVC, 4, -1); // Java takes any uid; this layout cannot name it
    const listed: string[] = [];
    for await (const uid of bed.executor.scanLinkedUsers(NS, SVC, 4)) listed.push(uid);
    expect(listed.sort()).toEqual(['a', 'b']);
    await expect(bed.executor.releasePodUsers(NS, SVC, 4)).resolves.toBe(2);
    expect(await java.getLinkedPod('a', SVC)).toBe(-1);
    expect(await java.getLinkedPod('d', 'chat')).toBe(4);
    expect(await java.getLinkedPod('e:f', SVC)).toBe(4);
    expect(await java.getLinkedPod('c', SVC)).toBe(5);
  });

  it("the link cache follows the Java driver's writes, tracking one namespace's keys", async () => {
    const gateway = await start({ cache: { maxEntries: 100, namespaces: [NS] } });
    const cache = gateway.get(LinkCache);
    const executor = gateway.get(StatefulExecutorService);
    await waitUntil(() => Promise.resolve(cache.stats().tracking), 'tracking', 10_000, 20);
    await java.setLinkedPod('cached', SVC, 1, -1);
    expect(await executor.getLinkedPod(NS, 'cached', SVC)).toBe(1);
    expect(await executor.getLinkedPod(NS, 'cached', SVC)).toBe(1);
    expect(cache.stats().hits).toBeGreaterThan(0);
    await java.setLinkedPod('cached', SVC, 2, -1);
    await waitUntil(
      async () => (await executor.getLinkedPod(NS, 'cached', SVC)) === 2,
      'the move seen',
      2_000,
      5,
    );
    await java.removeLinkedPod('cached', SVC, -1);
    await waitUntil(
      async () => (await executor.getLinkedPod(NS, 'cached', SVC)) === null,
      'the removal seen',
      2_000,
      5,
    );
    expect(cache.stats().invalidations).toBeGreaterThan(0);
  });

  it("the originals' own defects a mixed fleet still meets: Java's setLinkedPodIfAbsent with -1 deletes a temporary link", async () => {
    await bed.executor.setLinkedPod(NS, 'back', SVC, 3, 300); // a user in the grace period
    // This project: the user came back, the temporary link becomes persistent.
    await expect(bed.executor.setLinkedPodIfAbsent(NS, 'back', SVC, 1, -1)).resolves.toBe(3);
    expect(await bed.raw.ttl(java.linkKey('back', SVC))).toBe(-1);
    await bed.executor.setLinkedPod(NS, 'back', SVC, 3, 300);
    // Java's script runs EXPIRE link -1, which deletes it, though it answers the pod.
    expect(await java.setLinkedPodIfAbsent('back', SVC, 1, -1)).toBe(3);
    expect(await bed.raw.exists(java.linkKey('back', SVC))).toBe(0);
    await expect(bed.executor.getLinkedPod(NS, 'back', SVC)).resolves.toBeNull();
  });
});

/** The standalone service with REDIS_KEY_LAYOUT=java, driven over HTTP beside a Java fleet. */
describe('the service with REDIS_KEY_LAYOUT=java', () => {
  let svc: ServiceTestbed;
  let java: JavaDriver;
  let raw: Redis;
  const NS = 'app1:eu:logic';
  beforeAll(async () => {
    svc = await startService({ REDIS_KEY_LAYOUT: 'java' });
    raw = new Redis(svc.server.url);
    java = new JavaDriver(raw);
  });
  afterAll(async () => {
    raw.disconnect();
    await svc.close();
  });

  it("reports, routes and links with the Java original's keys; a bad namespace or uid is a 400", async () => {
    await java.setServiceState(SVC, 0, 50, 1);
    const put = await svc.request('PUT', `/v1/namespaces/${NS}/services/${SVC}/pods/1/status`, {
      body: { load: 2, address: '10.0.0.1:7000' },
    });
    expect(put.status).toBe(204);
    assertJavaStatus('1', (await raw.hget(java.stateKey(SVC), '1'))!);
    const route = await svc.request('GET', `/v1/namespaces/${NS}/services/${SVC}/route?uid=p1`);
    expect(route.status).toBe(200);
    expect(route.headers.get('x-stateful-pod')).toBe('1');
    expect(route.headers.get('x-stateful-upstream')).toBe('10.0.0.1:7000');
    expect(await java.getLinkedPod('p1', SVC)).toBe(1);
    expect(await java.getAllLinkService('p1')).toEqual({ [SVC]: '1' });
    const pods = await svc.request('GET', `/v1/namespaces/${NS}/services/${SVC}/pods`);
    expect(pods.status).toBe(200);
    expect(pods.body).toEqual({ pods: { '0': 'Ready', '1': 'Ready' } });

    const badNamespace = await svc.request('GET', `/v1/namespaces/prod/services/${SVC}/pods`);
    expect(badNamespace.status).toBe(400);
    expect(JSON.stringify(badNamespace.body)).toContain('<appId>:<regionId>:<logicType>');
    const badUid = await svc.request('GET', `/v1/namespaces/${NS}/users/a:b/links/${SVC}`);
    expect(badUid.status).toBe(400);
    expect(JSON.stringify(badUid.body)).toContain("must not contain ':'");
    expect(await raw.exists(java.linkKey('a:b', SVC), `slug-lk:{${NS}:a}`)).toBe(0);
  });
});
