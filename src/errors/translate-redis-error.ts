import { ReplyError } from 'ioredis';
import { MalformedReplyError } from './malformed-reply.error';
import { RedisUnavailableError } from './redis-unavailable.error';
import { ScriptError } from './script.error';
import { StatefulError } from './stateful.error';

/** Reply prefixes that mean "Redis cannot serve this right now", not "this request is wrong". */
const UNAVAILABLE_REPLIES = [
  'LOADING',
  'READONLY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'BUSY',
];

/**
 * Maps whatever ioredis threw to one of the library's typed errors.
 * Anything that is not a Redis reply (closed socket, timeout, retries exhausted) is unavailability.
 */
export function translateRedisError(error: unknown, operation: string): StatefulError {
  if (error instanceof StatefulError) return error;
  if (!(error instanceof ReplyError)) return new RedisUnavailableError(operation, error);
  const message = (error as Error).message;
  if (UNAVAILABLE_REPLIES.some((prefix) => message.startsWith(prefix))) {
    return new RedisUnavailableError(operation, error);
  }
  if (message.includes('WRONGTYPE')) return new MalformedReplyError(operation, message);
  return new ScriptError(operation, error);
}
