import { StatefulValidationError } from '../../errors';
import { EnvironmentError, EnvReader, optional, type Env } from '../../config/environment-reader';
import { loadStoreEnvironment, type StoreEnvironment } from '../../config/store-environment';
import { createStatefulKeys } from '../../core/stateful-keys';
import { assertServiceName } from '../../core/validators';
import { readTokensFile, TokensFileError, type TokenGrant } from '../edge/access/token-grants';
import { assertWaitFitsCommandTimeout } from '../../durability/durability-options';
import type { RedisModuleOptions } from '../../redis/redis-module-options';

export { EnvironmentError } from '../../config/environment-reader';
import { UpstreamTemplate } from '../api/upstream-template';

/** The standalone service's configuration, read from the environment and validated at start. */
export interface ServiceConfig {
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** One info line per /v1 request (pino-http); off by default, it halves the link routes' throughput. */
  logRequests: boolean;
  apiToken?: string;
  /** API_TOKENS_FILE: scoped tokens, read at start (and again on SIGHUP or change). */
  apiTokensFile?: { path: string; grants: TokenGrant[] };
  bodyLimitBytes: number;
  /** Time a request may take to arrive, body included; slower ones get 408 and are closed. */
  requestTimeoutMs: number;
  /** Time a body may take to arrive once its headers have (at most requestTimeoutMs). */
  bodyTimeoutMs: number;
  /** Open connections at most; beyond, new ones are closed at once. */
  maxConnections: number;
  /** Requests whose body is being received at most; beyond, 503 before a byte of it is read. */
  maxBodiesInFlight: number;
  /** Most uids of one batch-get, and services of one workloads read. */
  maxBatch: number;
  shutdownDelayMs: number;
  /** Serve the operators' console at /console (CONSOLE). */
  console: boolean;
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
  /** The gateway route (docs/gateways.md): where the uid comes from, the pod choice, the fallback address. */
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

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Validates every variable of `.env.example`; throws EnvironmentError on the first bad one. */
export function loadServiceConfig(env: Env): ServiceConfig {
  const read = new EnvReader(env);
  const store = loadStoreEnvironment(env);
  const redis = store.redis;
  const logLevel = read.string('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new EnvironmentError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const maxBatch = read.integer('MAX_BATCH', 1, 100_000, 1_000);
  // Sized from the largest body a route takes: a batch of MAX_BATCH 256-character ASCII uids.
  const bodyLimitBytes = read.integer(
    'BODY_LIMIT_BYTES',
    1_024,
    64 * 1024 * 1024,
    defaultBodyLimitBytes(maxBatch),
  );
  const requestTimeoutMs = read.integer('REQUEST_TIMEOUT_MS', 100, 600_000, 10_000);
  const bodyTimeoutMs = read.integer(
    'BODY_TIMEOUT_MS',
    100,
    600_000,
    Math.min(2_000, requestTimeoutMs),
  );
  if (bodyTimeoutMs > requestTimeoutMs) {
    throw new EnvironmentError(
      'BODY_TIMEOUT_MS',
      `must be at most REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
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
  const tokensPath = read.string('API_TOKENS_FILE');
  const apiTokensFile =
    tokensPath === undefined
      ? undefined
      : { path: tokensPath, grants: readServiceTokens(tokensPath, store) };
  return {
    port: read.integer('PORT', 0, 65_535, 3000),
    host: read.string('HOST') ?? '0.0.0.0',
    logLevel: logLevel as ServiceConfig['logLevel'],
    logRequests: read.boolean('LOG_REQUESTS', false),
    apiToken,
    ...optional('apiTokensFile', apiTokensFile),
    bodyLimitBytes,
    requestTimeoutMs,
    bodyTimeoutMs,
    maxConnections: read.integer('MAX_CONNECTIONS', 1, 1_000_000, 1_024),
    maxBodiesInFlight: read.integer('MAX_BODIES_IN_FLIGHT', 1, 100_000, 64),
    maxBatch,
    shutdownDelayMs: read.integer('SHUTDOWN_DELAY_MS', 0, 600_000, 0),
    console: read.boolean('CONSOLE', false),
    keyLayout: store.keyLayout,
    ...optional('keyPrefix', store.keyPrefix),
    podTableTtlMs: read.integer('POD_TABLE_TTL_MS', 0, 3_600_000, 1_000),
    ...optional('podStatusFormat', store.podStatusFormat),
    linkCache: linkCache(read),
    durability: durability(read, redis),
    route: route(read),
    redis,
  };
}

/**
 * BODY_LIMIT_BYTES' default: room for a batch-get of MAX_BATCH uids of 256 ASCII characters (quoted,
 * comma-separated: 259 bytes each, 300 with margin) and 16 KB for the rest. Uids of other
 * characters take more bytes; BODY_LIMIT_BYTES raises it.
 */
export function defaultBodyLimitBytes(maxBatch: number): number {
  return 16 * 1024 + maxBatch * 300;
}

/**
 * API_TOKENS_FILE's grants, checked with the key layout's rules; a bad file is an EnvironmentError
 * naming the entry (at start), or a TokensFileError (on a reload, which keeps the previous grants).
 */
export function readServiceTokens(
  path: string,
  store: Pick<StoreEnvironment, 'keyLayout' | 'keyPrefix'>,
): TokenGrant[] {
  const keys = createStatefulKeys(store.keyLayout, store.keyPrefix);
  try {
    return readTokensFile(
      path,
      (value, field) => keys.assertNamespace(value, field),
      assertServiceName,
    );
  } catch (error) {
    if (error instanceof TokensFileError)
      throw new EnvironmentError('API_TOKENS_FILE', error.message);
    throw error;
  }
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
  const maxLoad = read.number('ROUTE_MAX_LOAD');
  if (maxLoad === 0) throw new EnvironmentError('ROUTE_MAX_LOAD', 'must be greater than 0');
  return {
    uidHeader: uidHeader.toLowerCase(),
    upstreamTemplate,
    ...optional('maxLoad', maxLoad),
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
