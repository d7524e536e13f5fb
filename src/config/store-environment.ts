import type { KeyLayout } from '../core/stateful-keys';
import { StatefulValidationError } from '../errors';
import type { RedisModuleOptions } from '../redis/redis-module-options';
import { parseRedisUrl } from '../redis/redis-options.validation';
import { EnvironmentError, EnvReader, optional, type Env } from './environment-reader';

/**
 * Where the store is and how its keys are named, from the environment: the `REDIS_*` variables,
 * `POD_STATUS_FORMAT`. The service and the CLI read them alike, so one `.env` serves both.
 */
export interface StoreEnvironment {
  redis: RedisModuleOptions;
  keyLayout: KeyLayout;
  /** Undefined: the layout's own (`sf`, or `slug` in the java layout). */
  keyPrefix?: string;
  /** Undefined: the layout's default (split, or java in the java layout). */
  podStatusFormat?: 'split' | 'java';
}

/** Validates the store's variables; throws EnvironmentError naming the first bad one. */
export function loadStoreEnvironment(env: Env): StoreEnvironment {
  const read = new EnvReader(env);
  const redis: RedisModuleOptions = {
    poolSize: read.integer('REDIS_POOL_SIZE', 1, 64, 1),
    connectTimeoutMs: read.integer('REDIS_CONNECT_TIMEOUT_MS', 1, 600_000, 5_000),
    commandTimeoutMs: read.integer('REDIS_COMMAND_TIMEOUT_MS', 1, 600_000, 2_000),
    maxRetriesPerRequest: read.integer('REDIS_MAX_RETRIES_PER_REQUEST', 0, 100, 2),
    ...optional('username', read.string('REDIS_USERNAME')),
    ...optional('password', read.string('REDIS_PASSWORD')),
    ...redisTopology(read),
    ...redisTls(read),
  };
  const keyPrefix = read.string('REDIS_KEY_PREFIX');
  if (keyPrefix !== undefined && !/^[^{}\s\p{Cc}]{1,64}$/u.test(keyPrefix)) {
    throw new EnvironmentError(
      'REDIS_KEY_PREFIX',
      'must be 1 to 64 characters without braces, spaces or controls',
    );
  }
  return {
    redis,
    keyLayout: keyLayout(read, redis),
    ...optional('keyPrefix', keyPrefix),
    ...optional('podStatusFormat', podStatusFormat(read)),
  };
}

function podStatusFormat(read: EnvReader): 'split' | 'java' | undefined {
  const format = read.string('POD_STATUS_FORMAT');
  if (format !== undefined && format !== 'split' && format !== 'java') {
    throw new EnvironmentError('POD_STATUS_FORMAT', 'must be split or java');
  }
  return format;
}

function keyLayout(read: EnvReader, redis: RedisModuleOptions): 'go' | 'java' {
  const layout = read.string('REDIS_KEY_LAYOUT') ?? 'go';
  if (layout !== 'go' && layout !== 'java') {
    throw new EnvironmentError('REDIS_KEY_LAYOUT', 'must be go or java');
  }
  // Checked here too, so that the start stops with one line before Nest builds anything.
  if (layout === 'java' && redis.cluster !== undefined) {
    throw new EnvironmentError(
      'REDIS_KEY_LAYOUT',
      "java needs a single Redis (REDIS_URL or REDIS_SENTINELS), not REDIS_CLUSTER_NODES: in Java's layout a link and its user hash lie in different hash slots",
    );
  }
  if (layout === 'java' && read.string('POD_STATUS_FORMAT') === 'split') {
    throw new EnvironmentError(
      'POD_STATUS_FORMAT',
      'must be java (or unset) with REDIS_KEY_LAYOUT=java: Java reads only its own status format',
    );
  }
  return layout;
}

function redisTopology(read: EnvReader): RedisModuleOptions {
  const clusterNodes = read.addresses('REDIS_CLUSTER_NODES');
  const sentinels = read.addresses('REDIS_SENTINELS');
  const url = read.string('REDIS_URL');
  // One topology, chosen on purpose: a leftover REDIS_URL must not be silently ignored, or win.
  const chosen = [
    ['REDIS_URL', url],
    ['REDIS_CLUSTER_NODES', clusterNodes],
    ['REDIS_SENTINELS', sentinels],
  ].filter(([, value]) => value !== undefined);
  if (chosen.length > 1) {
    const names = chosen.map(([name]) => name as string);
    throw new EnvironmentError(
      names[1],
      `cannot be combined with ${names[0]}: set only one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS`,
    );
  }
  if (clusterNodes) return { cluster: { nodes: clusterNodes } };
  if (sentinels) {
    const name = read.string('REDIS_SENTINEL_NAME');
    if (!name)
      throw new EnvironmentError('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS');
    return {
      sentinel: {
        sentinels,
        name,
        ...optional('sentinelPassword', read.string('REDIS_SENTINEL_PASSWORD')),
      },
    };
  }
  const redisUrl = url ?? 'redis://127.0.0.1:6379';
  try {
    parseRedisUrl(redisUrl);
  } catch (error) {
    if (error instanceof StatefulValidationError)
      throw new EnvironmentError('REDIS_URL', error.reason);
    throw error;
  }
  return { url: redisUrl };
}

function redisTls(read: EnvReader): Pick<RedisModuleOptions, 'tls'> {
  const enabled = read.boolean('REDIS_TLS', false);
  const ca = read.file('REDIS_TLS_CA_FILE');
  const cert = read.file('REDIS_TLS_CERT_FILE');
  const key = read.file('REDIS_TLS_KEY_FILE');
  if (!enabled && !ca && !cert && !key) return {};
  return { tls: { ...optional('ca', ca), ...optional('cert', cert), ...optional('key', key) } };
}
