import { readFileSync } from 'fs';
import { StatefulValidationError } from '../../errors';
import { assertWaitFitsCommandTimeout } from '../../durability/durability-options';
import type { RedisModuleOptions } from '../../redis/redis-module-options';
import { parseRedisUrl } from '../../redis/redis-options.validation';
import { UpstreamTemplate } from '../api/upstream-template';

/** The standalone service's configuration, read from the environment and validated at start. */
export interface ServiceConfig {
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** One info line per /v1 request (pino-http); off by default, it halves the link routes' throughput. */
  logRequests: boolean;
  apiToken?: string;
  bodyLimitBytes: number;
  /** Time a request may take to arrive, body included; slower ones get 408 and are closed. */
  requestTimeoutMs: number;
  /** Most uids of one batch-get, and services of one workloads read. */
  maxBatch: number;
  shutdownDelayMs: number;
  /** Whose key names: the Go port's (default) or the Java original's (REDIS_KEY_LAYOUT). */
  keyLayout: 'go' | 'java';
  /** Undefined: the layout's own (`sf`, or `slug` in the java layout). */
  keyPrefix?: string;
  /** How long placement and healing reuse a service's states and loads (the pod table). */
  podTableTtlMs: number;
  /**
   * How reportPodStatus writes: this project's two hashes, or the Java original's value; undefined:
   * the layout's default (split, or java in the java layout).
   */
  podStatusFormat?: 'split' | 'java';
  /** The link cache: off when undefined (LINK_CACHE_MAX_ENTRIES unset or 0). */
  linkCache?: { maxEntries: number; ttlMs: number };
  /** Replicated acknowledgements: off when undefined (REDIS_WAIT_REPLICAS unset or 0). */
  durability?: { replicas: number; timeoutMs: number };
  /** The gateway route (SPEC §9): where the uid comes from, the pod choice, the fallback address. */
  route: RouteConfig;
  redis: RedisModuleOptions;
}

export interface RouteConfig {
  /** The request header the uid is read from (lower case); `?uid=` is the fallback. */
  uidHeader: string;
  /** The address of pods that report none; undefined: such pods get a 503. */
  upstreamTemplate?: UpstreamTemplate;
  /** computeLinkedPod's options for every routed request; unset ones keep the library's defaults. */
  maxLoad?: number;
  maxAgeMs?: number;
  loadTolerance?: number;
  goneAfterMs?: number;
  missedBeats?: number;
  loadPerUser?: number;
}

/** A bad variable: the start stops with one line naming it. */
export class EnvironmentError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid environment variable ${variable}: ${reason}`);
    this.name = 'EnvironmentError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Validates every variable of `.env.example`; throws EnvironmentError on the first bad one. */
export function loadServiceConfig(env: Env): ServiceConfig {
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
  const logLevel = read.string('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new EnvironmentError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const keyPrefix = read.string('REDIS_KEY_PREFIX');
  if (keyPrefix !== undefined && !/^[^{}\s\p{Cc}]{1,64}$/u.test(keyPrefix)) {
    throw new EnvironmentError(
      'REDIS_KEY_PREFIX',
      'must be 1 to 64 characters without braces, spaces or controls',
    );
  }
  const apiToken = read.string('API_TOKEN');
  // Visible ASCII only: a token with a space or a non-ASCII character could never be sent back.
  if (apiToken !== undefined && !/^[\x21-\x7e]{16,256}$/.test(apiToken)) {
    throw new EnvironmentError(
      'API_TOKEN',
      'must be 16 to 256 visible ASCII characters (no spaces)',
    );
  }
  return {
    port: read.integer('PORT', 0, 65_535, 3000),
    host: read.string('HOST') ?? '0.0.0.0',
    logLevel: logLevel as ServiceConfig['logLevel'],
    logRequests: read.boolean('LOG_REQUESTS', false),
    apiToken,
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_024, 64 * 1024 * 1024, 1024 * 1024),
    requestTimeoutMs: read.integer('REQUEST_TIMEOUT_MS', 100, 600_000, 10_000),
    maxBatch: read.integer('MAX_BATCH', 1, 100_000, 1_000),
    shutdownDelayMs: read.integer('SHUTDOWN_DELAY_MS', 0, 600_000, 0),
    keyLayout: keyLayout(read, redis),
    ...optional('keyPrefix', keyPrefix),
    podTableTtlMs: read.integer('POD_TABLE_TTL_MS', 0, 3_600_000, 1_000),
    ...optional('podStatusFormat', podStatusFormat(read)),
    linkCache: linkCache(read),
    durability: durability(read, redis),
    route: route(read),
    redis,
  };
}

/** An HTTP header name (RFC 9110 token characters). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

function route(read: EnvReader): RouteConfig {
  const uidHeader = read.string('ROUTE_UID_HEADER') ?? 'x-stateful-uid';
  if (!HEADER_NAME.test(uidHeader)) {
    throw new EnvironmentError(
      'ROUTE_UID_HEADER',
      'must be an HTTP header name (1 to 64 token characters)',
    );
  }
  const template = read.string('ROUTE_UPSTREAM_TEMPLATE');
  const upstreamTemplate = template === undefined ? undefined : UpstreamTemplate.parse(template);
  if (typeof upstreamTemplate === 'string') {
    throw new EnvironmentError('ROUTE_UPSTREAM_TEMPLATE', upstreamTemplate);
  }
  return {
    uidHeader: uidHeader.toLowerCase(),
    upstreamTemplate,
    ...optional('maxLoad', read.number('ROUTE_MAX_LOAD')),
    ...optional('maxAgeMs', read.optionalInteger('ROUTE_MAX_AGE_MS', 0, 86_400_000)),
    ...optional('loadTolerance', read.number('ROUTE_LOAD_TOLERANCE')),
    ...optional('goneAfterMs', read.optionalInteger('ROUTE_GONE_AFTER_MS', 0, 86_400_000)),
    ...optional('missedBeats', read.optionalInteger('ROUTE_MISSED_BEATS', 1, 100)),
    ...optional('loadPerUser', read.number('ROUTE_LOAD_PER_USER')),
  };
}

function linkCache(read: EnvReader): ServiceConfig['linkCache'] {
  const maxEntries = read.integer('LINK_CACHE_MAX_ENTRIES', 0, 10_000_000, 0);
  const ttlMs = read.integer('LINK_CACHE_TTL_MS', 1, 86_400_000, 60_000);
  return maxEntries === 0 ? undefined : { maxEntries, ttlMs };
}

function durability(read: EnvReader, redis: RedisModuleOptions): ServiceConfig['durability'] {
  const replicas = read.integer('REDIS_WAIT_REPLICAS', 0, 64, 0);
  const timeoutMs = read.integer('REDIS_WAIT_TIMEOUT_MS', 1, 60_000, 200);
  if (replicas === 0) return undefined;
  try {
    assertWaitFitsCommandTimeout({ replicas, timeoutMs }, redis);
  } catch (error) {
    const reason = (error as StatefulValidationError).reason;
    throw new EnvironmentError(
      'REDIS_WAIT_TIMEOUT_MS',
      reason.replace('redis.commandTimeoutMs', 'REDIS_COMMAND_TIMEOUT_MS'),
    );
  }
  return { replicas, timeoutMs };
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

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

class EnvReader {
  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined when unset or empty. */
  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      throw new EnvironmentError(name, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  /** A finite decimal number >= 0 (a load), or undefined when unset. */
  number(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(raw) || !Number.isFinite(Number(raw))) {
      throw new EnvironmentError(name, 'must be a decimal number >= 0');
    }
    return Number(raw);
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new EnvironmentError(name, 'must be true or false');
  }

  /** `host:port,host:port`. */
  addresses(name: string): { host: string; port: number }[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return raw.split(',').map((entry) => {
      const match = /^([^\s:,]+):(\d{1,5})$/.exec(entry.trim());
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65_535) {
        throw new EnvironmentError(
          name,
          `must be host:port[,host:port...] (bad entry "${entry.trim()}")`,
        );
      }
      return { host: match[1], port };
    });
  }

  file(name: string): Buffer | undefined {
    const path = this.string(name);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch {
      throw new EnvironmentError(name, `cannot read the file ${path}`);
    }
  }
}

/** Library option -> the variable that sets it, so a refusal at start names what the user set. */
const VARIABLE_OF_OPTION: Record<string, string> = {
  'redis.url': 'REDIS_URL',
  'redis.db': 'REDIS_URL',
  keyLayout: 'REDIS_KEY_LAYOUT',
  keyPrefix: 'REDIS_KEY_PREFIX',
  podTableTtlMs: 'POD_TABLE_TTL_MS',
  podStatusFormat: 'POD_STATUS_FORMAT',
  'cache.maxEntries': 'LINK_CACHE_MAX_ENTRIES',
  'cache.ttlMs': 'LINK_CACHE_TTL_MS',
  'durability.replicas': 'REDIS_WAIT_REPLICAS',
  'durability.timeoutMs': 'REDIS_WAIT_TIMEOUT_MS',
  'redis.poolSize': 'REDIS_POOL_SIZE',
  'redis.connectTimeoutMs': 'REDIS_CONNECT_TIMEOUT_MS',
  'redis.commandTimeoutMs': 'REDIS_COMMAND_TIMEOUT_MS',
  'redis.cluster.nodes': 'REDIS_CLUSTER_NODES',
  'redis.sentinel.sentinels': 'REDIS_SENTINELS',
};

/** The one line the service prints when it cannot start because of its configuration. */
export function startErrorLine(error: unknown): string {
  if (error instanceof EnvironmentError) return error.message;
  if (error instanceof StatefulValidationError) {
    const variable = VARIABLE_OF_OPTION[error.field];
    return variable
      ? new EnvironmentError(variable, error.reason).message
      : `Invalid configuration ${error.field}: ${error.reason}`;
  }
  return error instanceof Error ? error.message : String(error);
}
