import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { withTimeout } from '../redis/with-timeout';

/** What probing one node found: a failure, or on a Cluster how many masters the node says serve slots. */
type Probe = { failure: string } | { clusterSize?: number };

/**
 * Terminus indicator: up when every pooled connection answers PING. On a Cluster the slot map is
 * refreshed first, every master must answer and report `cluster_state:ok`, and as many masters must
 * answer as the cluster says serve slots (`cluster_size`): a dead master is not simply left out.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis', timeoutMs = 1_000) {
    const indicator = this.health.check(key);
    const cluster = this.pool.isCluster;
    if (cluster) await this.pool.refreshTopology(timeoutMs);
    const connections = this.pool.connections();
    if (connections.length === 0) return indicator.down({ message: 'no Redis node known' });
    const probes = await Promise.all(connections.map((node) => probe(node, cluster, timeoutMs)));
    const failures = probes.flatMap((result) => ('failure' in result ? [result.failure] : []));
    if (failures.length > 0) return indicator.down({ nodes: connections.length, failures });
    const expected = Math.max(
      0,
      ...probes.map((result) => ('clusterSize' in result ? (result.clusterSize ?? 0) : 0)),
    );
    if (cluster && connections.length < expected) {
      return indicator.down({
        nodes: connections.length,
        failures: [`${connections.length} of ${expected} masters reachable`],
      });
    }
    return indicator.up({ nodes: connections.length });
  }
}

async function probe(node: Redis, cluster: boolean, timeoutMs: number): Promise<Probe> {
  const name = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
  // 'wait' is a lazy Cluster node connection that a PING will open; anything else but 'ready' is down.
  if (node.status !== 'ready' && node.status !== 'wait')
    return { failure: `${name}: ${node.status}` };
  try {
    const reply = await withTimeout(node.ping(), timeoutMs);
    if (reply !== 'PONG') return { failure: `${name}: unexpected reply ${String(reply)}` };
    if (!cluster) return {};
    const info = String(await withTimeout(node.cluster('INFO'), timeoutMs));
    if (!info.includes('cluster_state:ok')) return { failure: `${name}: cluster_state is not ok` };
    return { clusterSize: Number(/cluster_size:(\d+)/.exec(info)?.[1] ?? 0) };
  } catch (error) {
    return { failure: `${name}: ${(error as Error).message}` };
  }
}
