import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { RedisConnectionPool } from '../redis/redis-connection-pool';
import { withTimeout } from './with-timeout';

/** Terminus indicator: up when every pooled connection (every master on a Cluster) answers PING. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis', timeoutMs = 1_000) {
    const indicator = this.health.check(key);
    const connections = this.pool.connections();
    const failures = (await Promise.all(connections.map((node) => ping(node, timeoutMs)))).filter(
      (failure): failure is string => failure !== undefined,
    );
    if (connections.length === 0) return indicator.down({ message: 'no Redis node known' });
    if (failures.length > 0) {
      return indicator.down({ nodes: connections.length, failures });
    }
    return indicator.up({ nodes: connections.length });
  }
}

/** undefined when the node answered PONG in time, else why not. */
async function ping(node: Redis, timeoutMs: number): Promise<string | undefined> {
  const name = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
  if (node.status !== 'ready') return `${name}: ${node.status}`;
  try {
    const reply = await withTimeout(node.ping(), timeoutMs);
    return reply === 'PONG' ? undefined : `${name}: unexpected reply ${String(reply)}`;
  } catch (error) {
    return `${name}: ${(error as Error).message}`;
  }
}
