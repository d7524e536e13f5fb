import type { ReplicaConfirmation } from './confirmed-writes';
import { StatefulValidationError } from '../errors';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../redis/redis.constants';
import type { RedisModuleOptions } from '../redis/redis-module-options';
import * as check from '../core/validators';

/**
 * `StatefulModule.forRoot({ durability })` (docs/reliability.md; off when absent): every link write and pod
 * status write resolves only once `replicas` replicas confirm it (Redis WAIT), or fails with
 * RedisUnavailableError saying it was not confirmed.
 */
export interface DurabilityOptions {
  /** Replicas that must have each write. */
  replicas: number;
  /** How long a write waits for them (default 200 ms). */
  timeoutMs?: number;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 200;
const MAX_REPLICAS = 64;
const MAX_TIMEOUT_MS = 60_000;

/** Checks `durability`, naming the bad field, and fills in the default timeout. */
export function resolveDurability(options: unknown): ReplicaConfirmation {
  check.assertOptionsObject(options, 'durability', '{ replicas, timeoutMs? }');
  const { replicas, timeoutMs } = options as Partial<DurabilityOptions>;
  check.assertIntegerIn(replicas, 'durability.replicas', 1, MAX_REPLICAS);
  // From 1: WAIT with 0 would wait for ever.
  if (timeoutMs !== undefined) {
    check.assertIntegerIn(timeoutMs, 'durability.timeoutMs', 1, MAX_TIMEOUT_MS, ' (ms)');
  }
  return { replicas, timeoutMs: timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS };
}

/**
 * How late Redis may answer a WAIT whose timeout passed: it checks blocked clients' timeouts in its
 * cron, ten times a second at the default `hz` (measured: a failed WAIT 200 answers after 280 to
 * 300 ms).
 */
export const WAIT_TIMEOUT_LATENESS_MS = 100;

/**
 * A write can wait for two WAITs (one it queued behind on its connection, then its own), and
 * both must answer before ioredis gives up on the command, or a lagging replica would surface
 * as "Command timed out" instead of "not confirmed by replicas". The timeout checked is the one
 * the library's clients get (see createClient: `redisOptions` win over `commandTimeoutMs`); a
 * client handed in keeps its own, which the library does not know.
 */
export function assertWaitFitsCommandTimeout(
  { timeoutMs }: ReplicaConfirmation,
  redis: RedisModuleOptions,
): void {
  if (redis.client !== undefined) return;
  const { field, ms } = effectiveCommandTimeout(redis);
  if (ms === undefined || 2 * (timeoutMs + WAIT_TIMEOUT_LATENESS_MS) < ms) return;
  throw new StatefulValidationError(
    'durability.timeoutMs',
    `must leave room for two WAITs before ${field} (${ms} ms) runs out: 2 x (timeoutMs + ${WAIT_TIMEOUT_LATENESS_MS} ms) must be under it (a write may wait for the WAIT before its own, and Redis answers a timed-out WAIT up to ${WAIT_TIMEOUT_LATENESS_MS} ms late)`,
  );
}

/** The command timeout ioredis will apply, and the option that sets it (undefined ms: none). */
function effectiveCommandTimeout(redis: RedisModuleOptions): { field: string; ms?: number } {
  const layers: [string, unknown][] = [
    ['redis.cluster.options.redisOptions.commandTimeout', redis.cluster?.options?.redisOptions],
    ['redis.redisOptions.commandTimeout', redis.redisOptions],
  ];
  for (const [field, options] of layers) {
    if (typeof options === 'object' && options !== null && 'commandTimeout' in options) {
      const ms = (options as { commandTimeout?: unknown }).commandTimeout;
      return { field, ms: typeof ms === 'number' && ms > 0 ? ms : undefined };
    }
  }
  return {
    field: 'redis.commandTimeoutMs',
    ms: redis.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  };
}
