import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { translateRedisError } from '../errors';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { withTimeout } from '../redis/with-timeout';
import { DEFAULT_HEALTH_TIMEOUT_MS } from './health.constants';

/** What probing one node found: a failure, or on a Cluster how many masters the node says serve slots. */
type Probe = { failure: string } | { clusterSize?: number };

/**
 * Terminus indicator: up when every pooled connection answers PING. On a Cluster the slot map is
 * refreshed first, every master must answer and report `cluster_state:ok`, and as many masters must
 * answer as the cluster says serve slots (`cluster_size`): a dead master is not simply left out.
 * Answers within `timeoutMs` whatever Redis does, and at once for a connection known to be down.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis', timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS) {
    const indicator = this.health.check(key);
    const deadline = Date.now() + timeoutMs;
    const refusal = this.pool.refusal;
    if (refusal) return indicator.down({ message: refusal.message });
    const down = this.pool.describeDown();
    if (down) return indicator.down({ message: down });
    const cluster = this.pool.isCluster;
    if (cluster) await this.pool.refreshTopology(Math.floor(timeoutMs / 2));
    const connections = this.pool.connections();
    if (connections.length === 0) return indicator.down({ message: 'no Redis node known' });
    const remaining = Math.max(1, deadline - Date.now());
    const probes = await Promise.all(connections.map((node) => probe(node, cluster, remaining)));
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
  const deadline = Date.now() + timeoutMs;
  try {
    const reply = await withTimeout(node.ping(), timeoutMs);
    if (reply !== 'PONG') return { failure: `${name}: unexpected reply ${String(reply)}` };
    if (!cluster) return {};
    const info = String(
      await withTimeout(node.cluster('INFO'), Math.max(1, deadline - Date.now())),
    );
    if (!info.includes('cluster_state:ok')) return { failure: `${name}: cluster_state is not ok` };
    return { clusterSize: Number(/cluster_size:(\d+)/.exec(info)?.[1] ?? 0) };
  } catch (error) {
    // The typed error says "authentication failed" where Redis refused our credentials.
    return { failure: `${name}: ${translateRedisError(error, 'PING').message}` };
  }
}
