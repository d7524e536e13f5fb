import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';

/** SPEC §3 "Pod state and load" and "Workload state", checked against the raw layout of SPEC §2. */
describe.each(TOPOLOGIES)('pod state, load and workload state (%s)', (topology) => {
  const bed = useTestbed(topology);
  const ns = 'prod';
  const svc = 'game';
  const stateKey = `sf:{${ns}:state:${svc}}`;
  const loadKey = `sf:{${ns}:state:${svc}}:load`;

  beforeEach(() => bed.flush());
  const redisNowMs = () => bed.redisTimeMs();

  describe('service state', () => {
    it('sets and reads pod states in the state hash', async () => {
      await bed.executor.setServiceState(ns, svc, 0, 'Running');
      await bed.executor.setServiceState(ns, svc, 12, 'Draining');
      expect(await bed.raw.hgetall(stateKey)).toEqual({ '0': 'Running', '12': 'Draining' });
      await expect(bed.executor.getServiceState(ns, svc)).resolves.toEqual(
        new Map([
          [0, 'Running'],
          [12, 'Draining'],
        ]),
      );
      await expect(bed.executor.getServicePodState(ns, svc, 12)).resolves.toBe('Draining');
    });

    it('overwrites a pod state', async () => {
      await bed.executor.setServiceState(ns, svc, 1, 'Starting');
      await bed.executor.setServiceState(ns, svc, 1, 'Running');
      await expect(bed.executor.getServicePodState(ns, svc, 1)).resolves.toBe('Running');
    });

    it('returns an empty map and null when nothing is known', async () => {
      await expect(bed.executor.getServiceState(ns, svc)).resolves.toEqual(new Map());
      await expect(bed.executor.getServicePodState(ns, svc, 1)).resolves.toBeNull();
    });

    it('keeps state strings byte for byte, unicode included', async () => {
      const state = 'Running — ✓ {"x":1}';
      await bed.executor.setServiceState(ns, svc, 1, state);
      await expect(bed.executor.getServicePodState(ns, svc, 1)).resolves.toBe(state);
    });
  });

  describe('removeServicePod', () => {
    it('forgets the state and the load and reports that the pod was known', async () => {
      await bed.executor.setServiceState(ns, svc, 1, 'Running');
      await bed.executor.setServiceState(ns, svc, 2, 'Running');
      await bed.executor.reportPodLoad(ns, svc, 1, 5);
      await expect(bed.executor.removeServicePod(ns, svc, 1)).resolves.toBe(true);
      expect(await bed.raw.hgetall(stateKey)).toEqual({ '2': 'Running' });
      expect(await bed.raw.exists(loadKey)).toBe(0);
    });

    it('is true for a pod known only by its load report', async () => {
      await bed.executor.reportPodLoad(ns, svc, 4, 1);
      await expect(bed.executor.removeServicePod(ns, svc, 4)).resolves.toBe(true);
      expect(await bed.raw.exists(loadKey)).toBe(0);
    });

    it('is false for an unknown pod', async () => {
      await bed.executor.setServiceState(ns, svc, 2, 'Running');
      await expect(bed.executor.removeServicePod(ns, svc, 1)).resolves.toBe(false);
      expect(await bed.raw.hgetall(stateKey)).toEqual({ '2': 'Running' });
    });
  });

  describe('load reports', () => {
    it('stores <load>:<unixMillis> stamped with the Redis clock', async () => {
      const before = await redisNowMs();
      await bed.executor.reportPodLoad(ns, svc, 3, 12);
      await bed.executor.reportPodLoad(ns, svc, 4, 0.25);
      const after = await redisNowMs();
      const [load, millis] = (await bed.raw.hget(loadKey, '3'))!.split(':');
      expect(load).toBe('12');
      expect(Number(millis)).toBeGreaterThanOrEqual(before);
      expect(Number(millis)).toBeLessThanOrEqual(after);
      expect((await bed.raw.hget(loadKey, '4'))!.startsWith('0.25:')).toBe(true);

      const loads = await bed.executor.getPodLoads(ns, svc);
      expect([...loads.keys()].sort()).toEqual([3, 4]);
      expect(loads.get(3)).toEqual({ load: 12, updatedAt: Number(millis) });
      expect(loads.get(4)!.load).toBe(0.25);
    });

    it('keeps only reports not older than maxAgeMs (default 30 s)', async () => {
      const now = await redisNowMs();
      await bed.raw.hset(
        loadKey,
        '1',
        `1:${now - 5_000}`,
        '2',
        `2:${now - 40_000}`,
        '3',
        `3:${now + 1_000}`,
      );
      expect([...(await bed.executor.getPodLoads(ns, svc)).keys()].sort()).toEqual([1, 3]);
      expect([...(await bed.executor.getPodLoads(ns, svc, 60_000)).keys()].sort()).toEqual([
        1, 2, 3,
      ]);
      expect([...(await bed.executor.getPodLoads(ns, svc, 1_000)).keys()]).toEqual([3]);
    });

    it('returns an empty map when no pod reported', async () => {
      await expect(bed.executor.getPodLoads(ns, svc)).resolves.toEqual(new Map());
    });
  });

  describe('workload state', () => {
    it('sets and reads the workload string', async () => {
      await bed.executor.setWorkloadState(ns, svc, 'Available');
      expect(await bed.raw.get(`sf:{${ns}:workload:${svc}}`)).toBe('Available');
      expect(await bed.raw.ttl(`sf:{${ns}:workload:${svc}}`)).toBe(-1);
      await expect(bed.executor.getWorkloadState(ns, svc)).resolves.toBe('Available');
      await expect(bed.executor.getWorkloadState(ns, 'other')).resolves.toBeNull();
    });

    it('getWorkloadStates returns only services that have a state', async () => {
      await bed.executor.setWorkloadState(ns, 'a', 'Available');
      await bed.executor.setWorkloadState(ns, 'c', 'Updating');
      await bed.executor.setWorkloadState('other', 'b', 'Available');
      await expect(bed.executor.getWorkloadStates(ns, ['a', 'b', 'c'])).resolves.toEqual(
        new Map([
          ['a', 'Available'],
          ['c', 'Updating'],
        ]),
      );
      await expect(bed.executor.getWorkloadStates(ns, [])).resolves.toEqual(new Map());
    });
  });
});
