import type { Redis } from 'ioredis';
import { RedisUnavailableError, StatefulValidationError, translateRedisError } from '../errors';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import type { LuaScriptRegistry } from '../scripts/lua-script-registry';
import { parseFlag } from '../core/reply-parsers';
import type { StatefulKeys } from '../core/stateful-keys';

/** One page of a scan: uids found, and where to go on (null when the scan is complete). */
export interface LinkedUsersPage {
  uids: string[];
  cursor: string | null;
}

export const DEFAULT_SCAN_COUNT = 1_000;
export const MAX_SCAN_COUNT = 100_000;
const CURSOR = /^(0|[1-9][0-9]{0,4})-(0|[1-9][0-9]{0,19})$/;

/** SCAN's COUNT from `options.count`: how many keys one step looks at (and a release's batch size). */
export function scanCount(count: number | undefined): number {
  if (count === undefined) return DEFAULT_SCAN_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SCAN_COUNT) {
    throw new StatefulValidationError(
      'options.count',
      `must be an integer from 1 to ${MAX_SCAN_COUNT}`,
    );
  }
  return count;
}

/**
 * Reverse lookup (docs/operations.md): the users linked to a pod, found by SCAN over every master, and their
 * release. A pass over the keyspace, for drains and operators, never for a request path. A scan
 * across a topology change (failover, resharding) may miss or repeat users: run it again.
 */
export class LinkedUsers {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly scripts: LuaScriptRegistry,
    private readonly keys: StatefulKeys,
  ) {}

  /**
   * One SCAN step on one master: the uids among the keys it returned whose link points at the pod.
   * The cursor is opaque: `<master index>-<Redis cursor>`, masters in address order.
   */
  async page(
    namespace: string,
    serviceName: string,
    podId: number,
    cursor: string | undefined,
    count: number,
  ): Promise<LinkedUsersPage> {
    const [nodeIndex, nodeCursor] = parseCursor(cursor);
    const masters = this.masters();
    if (masters.length === 0) {
      throw new RedisUnavailableError('SCAN', new Error('no Redis master known'));
    }
    if (nodeIndex >= masters.length) {
      throw new StatefulValidationError(
        'cursor',
        'does not belong to this deployment (its masters changed?)',
      );
    }
    let reply: [string, string[]];
    try {
      reply = await masters[nodeIndex].scan(
        nodeCursor,
        'MATCH',
        this.keys.linkPattern(namespace, serviceName),
        'COUNT',
        count,
      );
    } catch (error) {
      // A cursor Redis refuses is bad input, not a failure of the store.
      if (error instanceof Error && /invalid cursor/i.test(error.message)) {
        throw new StatefulValidationError('cursor', 'must be a cursor returned by an earlier page');
      }
      throw translateRedisError(error, 'SCAN');
    }
    const [next, keys] = reply;
    const uids = await this.linkedTo(masters[nodeIndex], keys, namespace, serviceName, podId);
    const done = next === '0' && nodeIndex === masters.length - 1;
    return {
      uids,
      cursor: done ? null : next === '0' ? `${nodeIndex + 1}-0` : `${nodeIndex}-${next}`,
    };
  }

  async *scan(
    namespace: string,
    serviceName: string,
    podId: number,
    count: number,
  ): AsyncGenerator<string> {
    let cursor: string | undefined;
    do {
      const page = await this.page(namespace, serviceName, podId, cursor, count);
      yield* page.uids;
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * Removes, by compare-and-remove, every link that points at the pod, a page at a time (one page
   * released while the next is scanned); returns how many were released. A link moved meanwhile is
   * left.
   */
  async release(
    namespace: string,
    serviceName: string,
    podId: number,
    persistSeconds: number,
    count: number,
    onProgress?: (released: number) => void,
  ): Promise<number> {
    let released = 0;
    // SCAN may return a key twice; with a TTL a released link still points at the pod.
    const done = new Set<string>();
    let next: Promise<LinkedUsersPage> | undefined = this.page(
      namespace,
      serviceName,
      podId,
      undefined,
      count,
    );
    while (next) {
      const page: LinkedUsersPage = await next;
      next =
        page.cursor === null
          ? undefined
          : this.page(namespace, serviceName, podId, page.cursor, count);
      // Settle the scan ahead too if a release fails, so that no rejection is left unhandled.
      void next?.catch(() => undefined);
      const fresh = page.uids.filter((uid) => !done.has(uid));
      fresh.forEach((uid) => done.add(uid));
      const results = await Promise.all(
        fresh.map((uid) =>
          this.scripts.run(
            'statefulRemoveLinkWithId',
            this.keys.linkKeys(namespace, uid, serviceName),
            [serviceName, persistSeconds, podId],
            (reply) => parseFlag(reply, 'statefulRemoveLinkWithId'),
          ),
        ),
      );
      released += results.filter(Boolean).length;
      onProgress?.(released);
    }
    return released;
  }

  private masters(): Redis[] {
    const name = (node: Redis) => `${node.options.host ?? ''}:${node.options.port ?? ''}`;
    return [...this.pool.masters()].sort((a, b) => name(a).localeCompare(name(b)));
  }

  /**
   * The uids among `keys` whose link points at the pod: one MGET on a single server; on a Cluster,
   * one pipeline of GETs to the master that returned them (they lie in many slots, so MGETs would
   * need one per slot).
   */
  private async linkedTo(
    node: Redis,
    keys: string[],
    namespace: string,
    serviceName: string,
    podId: number,
  ): Promise<string[]> {
    if (keys.length === 0) return [];
    let values: unknown[];
    try {
      if (!this.pool.isCluster) {
        values = await node.mget(keys);
        return this.matching(keys, values, namespace, serviceName, podId);
      }
      const pipeline = node.pipeline();
      for (const key of keys) pipeline.get(key);
      // A key that moved to another master meanwhile answers MOVED: it is left out of this pass.
      values = ((await pipeline.exec()) ?? []).map(([error, value]) => (error ? null : value));
    } catch (error) {
      throw translateRedisError(error, 'GET');
    }
    return this.matching(keys, values, namespace, serviceName, podId);
  }

  private matching(
    keys: string[],
    values: unknown[],
    namespace: string,
    serviceName: string,
    podId: number,
  ): string[] {
    const wanted = String(podId);
    const uids: string[] = [];
    keys.forEach((key, index) => {
      const uid =
        values[index] === wanted ? this.keys.uidOfLink(key, namespace, serviceName) : undefined;
      if (uid !== undefined) uids.push(uid);
    });
    return uids;
  }
}

/** The largest SCAN cursor Redis takes (an unsigned 64-bit integer). */
const MAX_REDIS_CURSOR = 2n ** 64n - 1n;

function parseCursor(cursor: string | undefined): [number, string] {
  if (cursor === undefined) return [0, '0'];
  const match = CURSOR.exec(cursor);
  if (!match || BigInt(match[2]) > MAX_REDIS_CURSOR) {
    throw new StatefulValidationError('cursor', 'must be a cursor returned by an earlier page');
  }
  return [Number(match[1]), match[2]];
}
