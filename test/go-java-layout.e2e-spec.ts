import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';

/**
 * Data written raw, the way the Go (`stateful_executor.go`) and Java (`StatefulRedisExecutor`)
 * services write it, must read back through this API; and what this API writes must sit at the
 * keys those services read. One Redis is shared by all three.
 */
describe.each(TOPOLOGIES)('Go/Java data layout compatibility (%s)', (topology) => {
  const bed = useTestbed(topology);
  beforeEach(() => bed.flush());

  it('reads links, user hashes, states, loads and workloads written by the Go/Java services', async () => {
    const now = await bed.redisTimeMs();
    // As the Go/Java services write them: plain commands, one key at a time.
    await bed.raw.set('sf:{ns1:lk:player-42}battle', '3');
    await bed.raw.set('sf:{ns1:lk:player-42}chat', '1', 'EX', 600);
    await bed.raw.hset('sf:{ns1:lk:player-42}', 'battle', '3');
    await bed.raw.hset('sf:{ns1:state:battle}', '0', 'Running', '3', 'Draining');
    await bed.raw.hset('sf:{ns1:state:battle}:load', '0', `17:${now}`, '3', `2.5:${now}`);
    await bed.raw.set('sf:{ns1:workload:battle}', 'Available');

    const executor = bed.executor;
    await expect(executor.getLinkedPod('ns1', 'player-42', 'battle')).resolves.toBe(3);
    await expect(executor.getLinkedPodIfPersist('ns1', 'player-42', 'battle')).resolves.toBe(3);
    await expect(executor.getLinkedPodIfPersist('ns1', 'player-42', 'chat')).resolves.toBeNull();
    await expect(executor.getLinkedPods('ns1', ['player-42'], 'chat')).resolves.toEqual(
      new Map([[1, ['player-42']]]),
    );
    await expect(executor.getLinkService('ns1', 'player-42')).resolves.toEqual(
      new Map([['battle', 3]]),
    );
    await expect(executor.getServiceState('ns1', 'battle')).resolves.toEqual(
      new Map([
        [0, 'Running'],
        [3, 'Draining'],
      ]),
    );
    await expect(executor.getPodLoads('ns1', 'battle')).resolves.toEqual(
      new Map([
        [0, { load: 17, updatedAt: now }],
        [3, { load: 2.5, updatedAt: now }],
      ]),
    );
    await expect(executor.getWorkloadState('ns1', 'battle')).resolves.toBe('Available');
    // Pod 3 is least loaded but Draining: a new user goes to pod 0.
    await expect(executor.computeLinkedPod('ns1', 'newcomer', 'battle', -1)).resolves.toEqual({
      podId: 0,
      created: true,
      epoch: expect.any(Number),
    });
    // The Go service's compare-and-remove sees our writes and we see its data.
    await expect(executor.removeLinkedPodWithId('ns1', 'player-42', 'battle', 3, -1)).resolves.toBe(
      true,
    );
    expect(await bed.raw.exists('sf:{ns1:lk:player-42}battle', 'sf:{ns1:lk:player-42}')).toBe(0);
  });

  it('writes exactly the keys and values the Go/Java services read', async () => {
    const executor = bed.executor;
    await executor.setLinkedPod('ns1', 'u', 'battle', 4, -1);
    await executor.setServiceState('ns1', 'battle', 4, 'Running');
    await executor.reportPodLoad('ns1', 'battle', 4, 3);
    await executor.setWorkloadState('ns1', 'battle', 'Available');
    expect(await bed.keys()).toEqual([
      'sf:{ns1:lk:u}',
      'sf:{ns1:lk:u}battle',
      // Additive, never read by the originals (SPEC §10): the link's fencing epoch.
      'sf:{ns1:lk:u}battle:epoch',
      'sf:{ns1:state:battle}',
      'sf:{ns1:state:battle}:load',
      'sf:{ns1:workload:battle}',
    ]);
    expect(await bed.raw.type('sf:{ns1:lk:u}')).toBe('hash');
    expect(await bed.raw.type('sf:{ns1:lk:u}battle')).toBe('string');
    expect(await bed.raw.get('sf:{ns1:lk:u}battle')).toBe('4');
    expect(await bed.raw.hgetall('sf:{ns1:lk:u}')).toEqual({ battle: '4' });
    expect(await bed.raw.type('sf:{ns1:state:battle}')).toBe('hash');
    expect(await bed.raw.type('sf:{ns1:workload:battle}')).toBe('string');
    expect(await bed.raw.hget('sf:{ns1:state:battle}:load', '4')).toMatch(/^3:\d{13}$/);
  });
});

describe('custom key prefix', () => {
  const bed = useTestbed('standalone', { keyPrefix: 'routing' });

  it('puts every key under the configured prefix', async () => {
    await bed.executor.setLinkedPod('ns', 'u', 'svc', 1, -1);
    await bed.executor.setServiceState('ns', 'svc', 1, 'Running');
    await bed.executor.setWorkloadState('ns', 'svc', 'Available');
    expect(await bed.keys()).toEqual([
      'routing:{ns:lk:u}',
      'routing:{ns:lk:u}svc',
      'routing:{ns:lk:u}svc:epoch',
      'routing:{ns:state:svc}',
      'routing:{ns:workload:svc}',
    ]);
  });
});
