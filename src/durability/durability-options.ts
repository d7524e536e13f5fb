import { StatefulValidationError } from '../errors';
import type { ReplicaConfirmation } from '../scripts/lua-script-registry';

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
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new StatefulValidationError('durability', 'must be an object ({ replicas, timeoutMs? })');
  }
  const { replicas, timeoutMs } = options as Partial<DurabilityOptions>;
  if (
    typeof replicas !== 'number' ||
    !Number.isInteger(replicas) ||
    replicas < 1 ||
    replicas > MAX_REPLICAS
  ) {
    throw new StatefulValidationError(
      'durability.replicas',
      `must be an integer from 1 to ${MAX_REPLICAS}`,
    );
  }
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' ||
      !Number.isInteger(timeoutMs) ||
      timeoutMs < 1 ||
      timeoutMs > MAX_TIMEOUT_MS)
  ) {
    // WAIT with 0 would wait for ever.
    throw new StatefulValidationError(
      'durability.timeoutMs',
      `must be an integer from 1 to ${MAX_TIMEOUT_MS} (ms)`,
    );
  }
  return { replicas, timeoutMs: timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS };
}
