import { StatefulError } from './stateful.error';

/** Redis could not be reached or did not answer in time (connection, timeout, failover in progress). */
export class RedisUnavailableError extends StatefulError {
  readonly code = 'REDIS_UNAVAILABLE';

  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`Redis unavailable during ${operation}: ${describe(cause)}`, { cause });
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
