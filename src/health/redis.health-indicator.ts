import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { withTimeout } from '../redis/with-timeout';

/**
 * Terminus indicator: up when every pooled connection answers PING; on a Cluster, every master
 * must answer and report `cluster_state:ok`.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis', timeoutMs = 1_000) {
    const indicator = this.health.check(key);
    const connections = this.pool.connections();
    const cluster = this.pool.isCluster;
    const failures = (
      await Promise.all(connections.map((node) => probe(node, cluster, timeoutMs)))
    ).filter((failure): failure is string => failure !== undefined);
    if (connections.length === 0) return indicator.down({ message: 'no Redis node known' });
    if (failures.length > 0) {
      return indicator.down({ nodes: connections.length, failures });
    }
    return indicator.up({ nodes: connections.length });
  }
}

/** undefined when the node is healthy, else why not. */
async function probe(
  node: Redis,
  cluster: boolean,
  timeoutMs: number,
): Promise<string | undefined> {
  const name = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
  // 'wait' is a lazy Cluster node connection that a PING will open; anything else but 'ready' is down.
  if (node.status !== 'ready' && node.status !== 'wait') return `${name}: ${node.status}`;
  try {
    const reply = await withTimeout(node.ping(), timeoutMs);
    if (reply !== 'PONG') return `${name}: unexpected reply ${String(reply)}`;
    if (!cluster) return undefined;
    const info = String(await withTimeout(node.cluster('INFO'), timeoutMs));
    return info.includes('cluster_state:ok') ? undefined : `${name}: cluster_state is not ok`;
  } catch (error) {
    return `${name}: ${(error as Error).message}`;
  }
}
