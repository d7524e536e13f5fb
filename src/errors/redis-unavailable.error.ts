import { StatefulError } from './stateful.error';

/**
 * Why Redis could not serve a call when the cause alone does not say it plainly. 'not confirmed by
 * replicas': a write under `durability` that too few replicas confirmed in time; it may or may not
 * have been kept.
 */
export type RedisUnavailableReason = 'authentication failed' | 'not confirmed by replicas';

/**
 * Redis could not be reached, did not answer in time (connection, timeout, failover in progress),
 * refused our credentials (`reason: 'authentication failed'`), or did not get a write to enough
 * replicas in time (`reason: 'not confirmed by replicas'`).
 */
export class RedisUnavailableError extends StatefulError {
  readonly code = 'REDIS_UNAVAILABLE';

  constructor(
    readonly operation: string,
    cause: unknown,
    readonly reason?: RedisUnavailableReason,
  ) {
    const detail = describe(cause);
    super(`Redis unavailable during ${operation}: ${reason ? `${reason} (${detail})` : detail}`, {
      cause,
    });
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
