import {
  MalformedReplyError,
  NoAvailablePodError,
  RedisUnavailableError,
  type StatefulError,
  StatefulValidationError,
} from '../errors';

/** The JSON error body the standalone service answers with, and the filter below too. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** Reason phrases of the statuses this package answers with. */
export const HTTP_STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * The HTTP answer for one of the library's errors, as the standalone service gives it: bad input
 * 400 naming the field, no available pod and Redis unavailable (also refused credentials) 503,
 * anything else 500. Bodies carry no Redis details: an outage is "Redis is unavailable".
 */
export function statefulErrorToHttp(error: StatefulError): HttpErrorBody {
  if (error instanceof StatefulValidationError) return httpErrorBody(400, error.message);
  if (error instanceof NoAvailablePodError) return httpErrorBody(503, error.message);
  if (error instanceof RedisUnavailableError) {
    return httpErrorBody(503, `Redis is unavailable${error.reason ? `: ${error.reason}` : ''}`);
  }
  if (error instanceof MalformedReplyError) return httpErrorBody(500, 'stored data is malformed');
  return httpErrorBody(500, 'Redis rejected the operation');
}

export function httpErrorBody(statusCode: number, message: string): HttpErrorBody {
  return { statusCode, error: HTTP_STATUS_TEXT[statusCode] ?? 'Error', message };
}
