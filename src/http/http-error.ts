import { HttpException, HttpStatus } from '@nestjs/common';
import {
  MalformedReplyError,
  NoAvailablePodError,
  RedisUnavailableError,
  ScriptError,
  StatefulError,
  StatefulValidationError,
} from '../errors';

/** The error body of SPEC §5. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Maps anything a handler threw to a status and a body. Bodies never carry stack traces or Redis
 * details: a Redis outage is "Redis is unavailable", corrupt data "stored data is malformed".
 */
export function toHttpError(exception: unknown): HttpErrorBody {
  if (exception instanceof StatefulValidationError) return body(400, exception.message);
  if (exception instanceof NoAvailablePodError) return body(503, exception.message);
  if (exception instanceof RedisUnavailableError) return body(503, 'Redis is unavailable');
  if (exception instanceof MalformedReplyError) return body(500, 'stored data is malformed');
  if (exception instanceof ScriptError || exception instanceof StatefulError)
    return body(500, 'Redis rejected the operation');
  if (exception instanceof HttpException)
    return body(exception.getStatus(), httpMessage(exception));
  const status = (exception as { statusCode?: unknown })?.statusCode;
  // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a 4xx statusCode.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return body(status, (exception as Error).message);
  }
  return body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal Server Error');
}

/** A stable label for metrics: the library's error code, or HTTP_<status>. */
export function errorType(exception: unknown): string {
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

function body(statusCode: number, message: string): HttpErrorBody {
  return { statusCode, error: STATUS_TEXT[statusCode] ?? 'Error', message };
}
