import { HttpException, HttpStatus } from '@nestjs/common';
import { RedisUnavailableError, StatefulError } from '../../errors';
import {
  httpErrorBody,
  statefulErrorToHttp,
  type HttpErrorBody,
} from '../../http/stateful-http-error';

const UNSUPPORTED_MEDIA_TYPE = 'Unsupported Media Type: send the body as application/json';

/**
 * Maps anything a handler or the framework threw to a status and a docs/http-api.md body: the library's
 * errors as any host app maps them (`statefulErrorToHttp`), Nest's HTTP exceptions, Fastify's
 * client errors (malformed JSON, body too large, wrong media type); anything else is a bare 500.
 */
export function toHttpError(exception: unknown): HttpErrorBody {
  if (exception instanceof StatefulError) return statefulErrorToHttp(exception);
  if ((exception as { code?: unknown })?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return httpErrorBody(415, UNSUPPORTED_MEDIA_TYPE);
  }
  if (exception instanceof HttpException) {
    const message = httpMessage(exception);
    // Fastify's "no parser for this type" reaches here as Nest's bare 415: say what to send.
    if (exception.getStatus() === 415 && message === 'Unsupported Media Type') {
      return httpErrorBody(415, UNSUPPORTED_MEDIA_TYPE);
    }
    return httpErrorBody(exception.getStatus(), message);
  }
  const status = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return httpErrorBody(status, (exception as Error).message);
  }
  return httpErrorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal Server Error');
}

/**
 * A stable label for metrics: the library's error code (`NOT_CONFIRMED` for a write the replicas did
 * not confirm in time, a durability failure), or HTTP_<status>.
 */
export function errorType(exception: unknown): string {
  if (
    exception instanceof RedisUnavailableError &&
    exception.reason === 'not confirmed by replicas'
  ) {
    return 'NOT_CONFIRMED';
  }
  if (exception instanceof StatefulError) return exception.code;
  return `HTTP_${toHttpError(exception).statusCode}`;
}

/** What the exception filter answered each request with, until the response is done (for metrics). */
const errorTypes = new WeakMap<object, string>();

/** Remembers the error type a request failed with; `request` is the Node request. */
export function rememberErrorType(request: object, exception: unknown): void {
  errorTypes.set(request, errorType(exception));
}

export function rememberedErrorType(request: object): string | undefined {
  return errorTypes.get(request);
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
