import { StatefulError } from './stateful.error';

/** Why Redis could not serve a call when the cause alone does not say it plainly. */
export type RedisUnavailableReason = 'authentication failed';

/**
 * Redis could not be reached, did not answer in time (connection, timeout, failover in progress),
 * or refused our credentials (`reason: 'authentication failed'`).
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
