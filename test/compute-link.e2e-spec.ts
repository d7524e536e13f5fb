import { NoAvailablePodError, type ComputeLinkOptions } from '../src';
import { VARIANTS } from './support/key-layouts';
import { useTestbed } from './support/stateful-testbed';

/**
 * SPEC §3 computeLinkedPod: existing links, least-loaded choice, eligibility rules, errors; in both
 * key layouts (in the java layout, loads are Java statuses).
 */
describe.each(VARIANTS)('computeLinkedPod ($name)', ({ topology, keys }) => {
  const bed = useTestbed(topology, { keyLayout: keys.layout });
  const ns = keys.ns;
  const svc = 'game';
  const linkKey = (uid: string) => keys.link(uid, svc);

  beforeEach(() => bed.flush());

  const report = async (loads: Record<number, number>) => {
    for (const [pod, load] of Object.entries(loads))
      await bed.executor.reportPodLoad(ns, svc, Number(pod), load);
  };

  it('links a new user to the least-loaded pod', async () => {
    await report({ 0: 30, 1: 5, 2: 20 });
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, -1)).resolves.toEqual({
      podId: 1,
      created: true,
      epoch: expect.any(Number),
    });
    expect(await bed.raw.get(linkKey('u1'))).toBe('1');
    expect(await bed.raw.ttl(linkKey('u1'))).toBe(-1);
    expect(await bed.raw.hget(keys.userLinks('u1'), svc)).toBe('1');
  });

  it('creates a temporary link when given a TTL', async () => {
    await report({ 0: 1 });
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, 90)).resolves.toEqual({
      podId: 0,
      created: true,
      epoch: expect.any(Number),
    });
    expect(await bed.raw.ttl(linkKey('u1'))).toBeGreaterThan(80);
  });

  it('returns an existing link (created false) without looking at loads', async () => {
    await bed.executor.setLinkedPod(ns, 'u1', svc, 7, -1);
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, -1)).resolves.toEqual({
      podId: 7,
      created: false,
      epoch: expect.any(Number),
    });
  });

  it('behaves as setLinkedPodIfAbsent on an existing link: -1 makes a temporary link persistent', async () => {
    await bed.executor.setLinkedPod(ns, 'u1', svc, 7, 300);
    await report({ 0: 0, 7: 5 }); // pod 7 is alive: its users stay
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, -1)).resolves.toEqual({
      podId: 7,
      created: false,
      epoch: expect.any(Number),
    });
    expect(await bed.raw.ttl(linkKey('u1'))).toBe(-1);
    expect(await bed.raw.hget(keys.userLinks('u1'), svc)).toBe('7');
  });

  it('a TTL refreshes an existing temporary link', async () => {
    await bed.executor.setLinkedPod(ns, 'u1', svc, 7, 5);
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, 600)).resolves.toEqual({
      podId: 7,
      created: false,
      epoch: expect.any(Number),
    });
    expect(await bed.raw.ttl(linkKey('u1'))).toBeGreaterThan(500);
  });

  it('keeps an existing link to a Draining pod', async () => {
    await bed.executor.setLinkedPod(ns, 'u1', svc, 1, -1);
    await bed.executor.setServiceState(ns, svc, 1, 'Draining');
    await report({ 0: 50, 1: 0 });
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, -1)).resolves.toEqual({
      podId: 1,
      created: false,
      epoch: expect.any(Number),
    });
  });

  it('never picks a Draining pod for a new link', async () => {
    await report({ 0: 50, 1: 0 });
    await bed.executor.setServiceState(ns, svc, 1, 'Draining');
    await bed.executor.setServiceState(ns, svc, 0, 'Running');
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, -1)).resolves.toEqual({
      podId: 0,
      created: true,
      epoch: expect.any(Number),
    });
  });

  it('ignores stale load reports (maxAgeMs, default 30 s; 60 s for Java statuses)', async () => {
    const now = await bed.redisTimeMs();
    if (keys.layout === 'go') {
      await bed.raw.hset(keys.loads(svc), '0', `0:${now - 45_000}`, '1', `9:${now}`);
    } else {
      await bed.raw.hset(keys.states(svc), '0', `0-${now - 75_000}-1`, '1', `9-${now}-1`);
    }
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, -1)).resolves.toEqual({
      podId: 1,
      created: true,
      epoch: expect.any(Number),
    });
    await expect(
      bed.executor.computeLinkedPod(ns, 'u2', svc, -1, { maxAgeMs: 90_000 }),
    ).resolves.toEqual({
      podId: 0,
      created: true,
      epoch: expect.any(Number),
    });
  });

  it('skips pods at or above maxLoad and excluded pods', async () => {
    await report({ 0: 10, 1: 20, 2: 30 });
    await expect(
      bed.executor.computeLinkedPod(ns, 'u1', svc, -1, { maxLoad: 30, excludePods: [0] }),
    ).resolves.toEqual({ podId: 1, created: true, epoch: expect.any(Number) });
    await expect(
      bed.executor.computeLinkedPod(ns, 'u2', svc, -1, { maxLoad: 10 }),
    ).rejects.toBeInstanceOf(NoAvailablePodError);
  });

  it('reads the options once: changing them after the call does not change its choice', async () => {
    await report({ 0: 10, 1: 20 });
    const options = { excludePods: [0] };
    const call = bed.executor.computeLinkedPod(ns, 'u1', svc, -1, options);
    options.excludePods.splice(0, 1, 1);
    await expect(call).resolves.toEqual({ podId: 1, created: true, epoch: expect.any(Number) });
  });

  it('null options fields mean their defaults, as undefined does', async () => {
    await report({ 0: 10 });
    const nulls = { maxAgeMs: null, excludePods: null } as unknown as ComputeLinkOptions;
    await expect(bed.executor.computeLinkedPod(ns, 'u1', svc, -1, nulls)).resolves.toEqual({
      podId: 0,
      created: true,
      epoch: expect.any(Number),
    });
  });

  it('throws NoAvailablePodError when no pod reported, and links nothing', async () => {
    const error = await bed.executor.computeLinkedPod(ns, 'u1', svc, -1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAvailablePodError);
    expect((error as NoAvailablePodError).serviceName).toBe(svc);
    expect(await bed.raw.exists(linkKey('u1'))).toBe(0);
  });

  it('spreads ties at random among equally loaded pods', async () => {
    await report({ 0: 0, 1: 0, 2: 0, 3: 5 });
    const picked = new Set<number>();
    // Without placement accounting, so that the reported loads alone decide.
    for (let i = 0; i < 60; i++) {
      const options = { loadPerUser: 0 };
      picked.add((await bed.executor.computeLinkedPod(ns, `u${i}`, svc, -1, options)).podId);
    }
    expect(picked.has(3)).toBe(false);
    expect(picked.size).toBeGreaterThan(1);
  });
});
