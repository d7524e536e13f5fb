import { ReplyError } from 'ioredis';
import { MalformedReplyError } from './malformed-reply.error';
import { RedisUnavailableError } from './redis-unavailable.error';
import { ScriptError } from './script.error';
import { StatefulError } from './stateful.error';

/**
 * Error codes that mean "Redis cannot serve this right now", not "this request is wrong". Matched
 * anywhere: inside a script they come wrapped (`ERR Error running script ... -READONLY ...`).
 */
const UNAVAILABLE =
  /(^|[\s-])(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|OOM|NOREPLICAS)\b/;
/** Redis refused our credentials: a deployment problem, answered like an outage (503), not a bad request. */
const AUTHENTICATION = /(^|[\s-])(NOAUTH|WRONGPASS)\b|invalid password|invalid username-password/i;
/** Stored data of the wrong type or shape (WRONGTYPE from Redis, MALFORMED from our scripts). */
const MALFORMED = /(^|[\s-])(WRONGTYPE|MALFORMED)\b/;

/**
 * Maps whatever ioredis threw to one of the library's typed errors.
 * Anything that is not a Redis reply (closed socket, timeout, retries exhausted) is unavailability.
 */
export function translateRedisError(error: unknown, operation: string): StatefulError {
  if (error instanceof StatefulError) return error;
  if (!(error instanceof ReplyError)) return new RedisUnavailableError(operation, error);
  return translateReply(error as Error, operation);
}

/** A Redis error reply as the library's typed error. */
function translateReply(error: Error, operation: string): StatefulError {
  const message = error.message;
  if (AUTHENTICATION.test(message)) {
    return new RedisUnavailableError(operation, error, 'authentication failed');
  }
  if (UNAVAILABLE.test(message)) return new RedisUnavailableError(operation, error);
  if (MALFORMED.test(message)) return new MalformedReplyError(operation, message);
  return new ScriptError(operation, error);
}
