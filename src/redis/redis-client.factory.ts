import { Logger } from '@nestjs/common';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { StatefulValidationError } from '../errors';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CONNECTION_NAME,
  DEFAULT_MAX_RETRIES_PER_REQUEST,
  DEFAULT_POOL_SIZE,
} from './redis.constants';
import { RedisConnectionPool, type RedisClient } from './redis-connection-pool';
import type { RedisModuleOptions } from './redis-module-options';

const logger = new Logger('RedisModule');

/** Builds the pool the options describe; throws StatefulValidationError on contradictory options. */
export function createRedisConnectionPool(options: RedisModuleOptions): RedisConnectionPool {
  validateRedisOptions(options);
  if (options.client) return new RedisConnectionPool([options.client], false);
  const size = options.poolSize ?? DEFAULT_POOL_SIZE;
  const clients = Array.from({ length: size }, (_, index) => {
    const client = createClient(options);
    watchConnection(client, size > 1 ? `connection ${index + 1}/${size}` : 'connection');
    return client;
  });
  return new RedisConnectionPool(clients, true);
}

function createClient(options: RedisModuleOptions): RedisClient {
  const common = commonOptions(options);
  if (options.cluster) {
    return new Cluster(options.cluster.nodes, {
      ...options.cluster.options,
      redisOptions: { ...common, ...options.cluster.options?.redisOptions },
    });
  }
  if (options.sentinel) {
    const { sentinels, name, sentinelUsername, sentinelPassword, sentinelTls } = options.sentinel;
    return new Redis({
      // Follow a failover: the sentinels announce the new master, and a write refused by a demoted
      // master (READONLY) reconnects, asks the sentinels again and is resent (it was not applied).
      failoverDetector: true,
      reconnectOnError: (error) => (error.message.includes('READONLY') ? 2 : false),
      ...common,
      sentinels,
      name,
      sentinelUsername,
      sentinelPassword,
      // ioredis uses TLS towards the master only with enableTLSForSentinelMode; the sentinels have their own.
      ...(common.tls ? { enableTLSForSentinelMode: true } : {}),
      ...(sentinelTls ? { sentinelTLS: sentinelTls } : {}),
    });
  }
  if (options.url) return new Redis(options.url, common);
  return new Redis({ ...common, host: options.host ?? '127.0.0.1', port: options.port ?? 6379 });
}

function commonOptions(options: RedisModuleOptions): RedisOptions {
  const tls = options.tls === true ? {} : options.tls || undefined;
  return {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.db !== undefined ? { db: options.db } : {}),
    ...(tls ? { tls } : {}),
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? DEFAULT_MAX_RETRIES_PER_REQUEST,
    connectionName: options.connectionName ?? DEFAULT_CONNECTION_NAME,
    ...options.redisOptions,
  };
}

/** Logs state changes through Nest's Logger; repeated identical errors (a reconnect loop) are logged once. */
function watchConnection(client: RedisClient, label: string): void {
  let lastError: string | undefined;
  client.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.error(`Redis ${label} error: ${error.message}`);
  });
  client.on('ready', () => {
    if (lastError !== undefined) logger.log(`Redis ${label} ready again`);
    lastError = undefined;
  });
}

function validateRedisOptions(options: RedisModuleOptions): void {
  const topologies = (['url', 'host', 'cluster', 'sentinel', 'client'] as const).filter(
    (key) => options[key] !== undefined,
  );
  if (topologies.length > 1) {
    throw new StatefulValidationError(
      'redis',
      `choose one of url, host, cluster, sentinel or client (got ${topologies.join(', ')})`,
    );
  }
  if (options.url !== undefined && !/^rediss?:\/\//.test(options.url)) {
    throw new StatefulValidationError('redis.url', 'must start with redis:// or rediss://');
  }
  if (options.cluster && options.db !== undefined && options.db !== 0) {
    throw new StatefulValidationError('redis.db', 'Redis Cluster has only database 0');
  }
  if (options.cluster && options.cluster.nodes.length === 0) {
    throw new StatefulValidationError('redis.cluster.nodes', 'must list at least one node');
  }
  if (options.sentinel && options.sentinel.sentinels.length === 0) {
    throw new StatefulValidationError(
      'redis.sentinel.sentinels',
      'must list at least one sentinel',
    );
  }
  const poolSize = options.poolSize;
  if (poolSize !== undefined && (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 64)) {
    throw new StatefulValidationError('redis.poolSize', 'must be an integer from 1 to 64');
  }
  for (const key of ['connectTimeoutMs', 'commandTimeoutMs'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new StatefulValidationError(`redis.${key}`, 'must be a positive integer');
    }
  }
}
