import type { Writable } from 'stream';
import { isCluster, type RedisConnectionPool } from '../../redis/redis-connection-pool';

/**
 * Lets the Redis commands of one event-loop turn leave in one socket write per connection instead
 * of one each. ioredis writes every command at once, and on loopback each write is a system call
 * that also runs Redis' side of TCP: about a quarter of the service's CPU on the link routes. HTTP
 * requests from different clients are handled in the same turn; `batchThisTurn()` corks the pool's
 * sockets on the first call of a turn, and `setImmediate` (right after the turn's I/O callbacks)
 * uncorks them. A command waits at most for the rest of the turn, which the CPU is busy with anyway.
 */
export class RedisWriteBatching {
  private corked: Writable[] | undefined;

  constructor(private readonly pool: RedisConnectionPool) {}

  batchThisTurn(): void {
    if (this.corked) return;
    const corked: Writable[] = [];
    this.corked = corked;
    setImmediate(() => this.release(corked));
    for (const client of this.pool.clients) {
      for (const node of isCluster(client) ? client.nodes() : [client]) {
        // Undefined before the first connect.
        const stream = node.stream as Writable | undefined;
        if (stream?.writable) {
          stream.cork();
          corked.push(stream);
        }
      }
    }
  }

  private release(corked: Writable[]): void {
    this.corked = undefined;
    for (const stream of corked) stream.uncork();
  }
}
