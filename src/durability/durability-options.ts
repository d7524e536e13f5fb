import type { ReplicaConfirmation } from '../scripts/lua-script-registry';
import * as check from '../stateful/stateful-validators';

/**
 * `StatefulModule.forRoot({ durability })` (SPEC §8; off when absent): every link write and pod
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
