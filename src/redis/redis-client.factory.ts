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
import {
  selectedDatabase,
  validateRedisOptions,
  type SelectedDatabase,
} from './redis-options.validation';

const logger = new Logger('RedisModule');

/** Redis' answers to a SELECT of a database it does not have (or a Cluster node's refusal of SELECT). */
const DATABASE_REFUSED = /DB index is out of range|invalid DB index|SELECT is not allowed/i;

/**
 * Builds the pool the options describe. Every option is checked first (StatefulValidationError
 * naming it), so a refused configuration opens no connection.
 */
export function createRedisConnectionPool(options: RedisModuleOptions): RedisConnectionPool {
  validateRedisOptions(options);
  const readyTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (options.client) return new RedisConnectionPool([options.client], false, readyTimeoutMs);
  const size = options.poolSize ?? DEFAULT_POOL_SIZE;
  const database = selectedDatabase(options);
  const clients = Array.from({ length: size }, () => createClient(options));
  const pool = new RedisConnectionPool(clients, true, readyTimeoutMs);
  clients.forEach((client, index) => {
    watchConnection(client, size > 1 ? `connection ${index + 1}/${size}` : 'connection', pool);
    if (database) guardDatabase(client, database, pool);
  });
  return pool;
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

/**
 * ioredis answers a refused SELECT by logging and carrying on in database 0, where every later
 * command would land. Its SELECT goes out before the ready check, so its refusal arrives before
 * any queued command is sent: closing the connection then keeps them all out of database 0. The
 * pool keeps the refusal, so start-up fails with it and health reports it.
 */
function guardDatabase(client: RedisClient, database: SelectedDatabase, pool: RedisConnectionPool) {
  client.on('error', (error: Error) => {
    if (!DATABASE_REFUSED.test(error.message) || pool.refusal) return;
    pool.refuse(
      new StatefulValidationError(
        database.field,
        `Redis refused database ${database.db} (${error.message}); nothing was sent to another database`,
      ),
    );
    client.disconnect();
  });
}

/** Logs state changes through Nest's Logger; repeated identical errors (a reconnect loop) are logged once. */
function watchConnection(client: RedisClient, label: string, pool: RedisConnectionPool): void {
  let lastError: string | undefined;
  client.on('error', (error: Error) => {
    pool.noteError(client, error);
    if (error.message === lastError) return;
    lastError = error.message;
    logger.error(`Redis ${label} error: ${error.message}`);
  });
  client.on('ready', () => {
    pool.noteError(client, undefined);
    if (lastError !== undefined) logger.log(`Redis ${label} ready again`);
    lastError = undefined;
  });
}
