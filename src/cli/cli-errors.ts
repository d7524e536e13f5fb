import { EnvironmentError } from '../config/environment-reader';
import { RedisUnavailableError, StatefulValidationError } from '../errors';

/** The CLI's exit codes: what a script can branch on. */
export const EXIT_OK = 0;
/** Bad usage or input: the message names the argument or variable. */
export const EXIT_USAGE = 1;
/** Redis could not be reached, or refused the call as unavailable. */
export const EXIT_REDIS_UNAVAILABLE = 2;
/** Anything else (a script error, malformed stored data). */
export const EXIT_FAILED = 3;

/** A usage error the CLI raises itself, naming the argument. */
export class CliUsageError extends Error {}

/** The exit code and one-line message for an error. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof StatefulValidationError) {
    return { code: EXIT_USAGE, message: error.message.replace(/^Invalid /, 'Invalid argument ') };
  }
  if (error instanceof EnvironmentError || error instanceof CliUsageError) {
    return { code: EXIT_USAGE, message: error.message };
  }
  if (error instanceof RedisUnavailableError) {
    return {
      code: EXIT_REDIS_UNAVAILABLE,
      message: `${error.message} (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS say where it is)`,
    };
  }
  return { code: EXIT_FAILED, message: error instanceof Error ? error.message : String(error) };
}
