import { StatefulValidationError } from '../errors';
import type { RedisModuleOptions } from './redis-module-options';

/** The database the options select, and the option a refusal names. */
export interface SelectedDatabase {
  db: number;
  field: 'redis.db' | 'redis.url';
}

const TOPOLOGIES = ['url', 'host', 'cluster', 'sentinel', 'client'] as const;
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/;

/**
 * Refuses contradictory or malformed options with a StatefulValidationError naming the option,
 * before any connection is made (a refused start leaves no socket behind).
 */
export function validateRedisOptions(options: RedisModuleOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new StatefulValidationError('redis', 'must be an object');
  }
  const topologies = TOPOLOGIES.filter((key) => options[key] !== undefined);
  if (topologies.length > 1) {
    throw new StatefulValidationError(
      'redis',
      `choose one of url, host, cluster, sentinel or client (got ${topologies.join(', ')})`,
    );
  }
  if (options.url !== undefined) parseRedisUrl(options.url);
  if (options.port !== undefined) assertInteger(options.port, 'redis.port', 1, 65_535);
  if (options.db !== undefined) assertInteger(options.db, 'redis.db', 0, 2_147_483_647);
  if (options.cluster) {
    if (!Array.isArray(options.cluster.nodes) || options.cluster.nodes.length === 0) {
      throw new StatefulValidationError('redis.cluster.nodes', 'must list at least one node');
    }
    if ((selectedDatabase(options)?.db ?? 0) !== 0) {
      throw new StatefulValidationError('redis.db', 'Redis Cluster has only database 0');
    }
  }
  if (
    options.sentinel &&
    (!Array.isArray(options.sentinel.sentinels) || options.sentinel.sentinels.length === 0)
  ) {
    throw new StatefulValidationError(
      'redis.sentinel.sentinels',
      'must list at least one sentinel',
    );
  }
  if (options.poolSize !== undefined) assertInteger(options.poolSize, 'redis.poolSize', 1, 64);
  for (const key of ['connectTimeoutMs', 'commandTimeoutMs'] as const) {
    if (options[key] !== undefined) assertInteger(options[key], `redis.${key}`, 1, 2_147_483_647);
  }
  if (options.maxRetriesPerRequest != null) {
    assertInteger(options.maxRetriesPerRequest, 'redis.maxRetriesPerRequest', 0, 1_000);
  }
}

/** The database other than 0 that the options select (`db`, else the URL's path or `?db=`). */
export function selectedDatabase(options: RedisModuleOptions): SelectedDatabase | undefined {
  if (options.db !== undefined)
    return options.db === 0 ? undefined : { db: options.db, field: 'redis.db' };
  if (options.url === undefined) return undefined;
  const db = parseRedisUrl(options.url).db;
  return db === undefined || db === 0 ? undefined : { db, field: 'redis.url' };
}

/**
 * What ioredis would read from a URL, checked: a redis:// or rediss:// URL with a host, a port from
 * 1 to 65535 and an optional database number, so that a typo is a validation error naming
 * `redis.url` rather than ioredis' `TypeError: Invalid URL` or a silently different database.
 */
export function parseRedisUrl(url: unknown): { db?: number } {
  const invalid = (reason: string) => new StatefulValidationError('redis.url', reason);
  if (typeof url !== 'string') throw invalid('must be a string');
  if (!/^rediss?:\/\//i.test(url)) throw invalid('must start with redis:// or rediss://');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(
      'is not a valid URL (expected redis[s]://[user:password@]host[:port][/db], port 1-65535)',
    );
  }
  if (parsed.hostname === '') throw invalid('has no host');
  const path = parsed.pathname === '/' ? '' : parsed.pathname.slice(1);
  const query = parsed.searchParams.get('db');
  if (path !== '' && query !== null && path !== query) {
    throw invalid(`names two databases (${path} in the path, ${query} in ?db=)`);
  }
  const db = path !== '' ? path : query;
  if (db === null) return {};
  if (!DECIMAL.test(db) || Number(db) > 2_147_483_647) {
    throw invalid(`has database "${db}"; expected a database number such as /0`);
  }
  return { db: Number(db) };
}

function assertInteger(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StatefulValidationError(field, `must be an integer from ${min} to ${max}`);
  }
}
