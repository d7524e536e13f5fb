import { LuaScriptsHealthIndicator, RedisHealthIndicator } from '../src';
import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';

/** The Terminus indicators on a fresh app: every node pinged (every master, cluster_state:ok, on a Cluster). */
describe.each(TOPOLOGIES)('health indicators (%s)', (topology) => {
  const bed = useTestbed(topology);
  const expectedNodes = topology === 'cluster' ? 3 : 1;

  it('report up on a healthy deployment straight after start, with the nodes they checked', async () => {
    await expect(bed.app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: expectedNodes },
    });
    await expect(bed.app.get(LuaScriptsHealthIndicator).isHealthy()).resolves.toEqual({
      'redis-scripts': { status: 'up', scripts: bed.registry.scripts.length },
    });
  });

  it('use the key they are given', async () => {
    await expect(bed.app.get(RedisHealthIndicator).isHealthy('store')).resolves.toHaveProperty(
      'store.status',
      'up',
    );
  });
});
