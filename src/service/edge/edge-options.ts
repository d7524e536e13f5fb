import type { FastifyServerOptions } from 'fastify';
import type { ServerOptions } from 'http';
import type { Socket } from 'net';
import { HTTP_STATUS_TEXT, httpErrorBody } from '../../http/stateful-http-error';
import type { ServiceConfig } from '../config/environment';

/**
 * Fastify and Node server options of the HTTP edge: body limit, the time a request may take to
 * arrive (a slow or stalled body gets 408 and is closed, so it cannot hold memory), how often Node
 * checks that time (its default is every 30 s), and errors Node raises before routing in the
 * docs/http-api.md shape.
 */
export function edgeServerOptions(
  config: Pick<ServiceConfig, 'bodyLimitBytes' | 'requestTimeoutMs'>,
): FastifyServerOptions & { http: ServerOptions } {
  const requestTimeout = config.requestTimeoutMs;
  return {
    bodyLimit: config.bodyLimitBytes,
    requestTimeout,
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeout / 4))),
    },
    // Requests still arriving on open connections while the server closes are served (with
    // `Connection: close`, see connection-draining.ts) instead of getting a bare 503.
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
  };
}

/** Node's client errors (request timeout, bad HTTP, oversized headers) as a JSON error body, then close. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 408
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : 400;
  const message =
    status === 408
      ? 'the request did not arrive in time (REQUEST_TIMEOUT_MS)'
      : status === 431
        ? 'request headers too large'
        : 'malformed HTTP request';
  const body = JSON.stringify(httpErrorBody(status, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${HTTP_STATUS_TEXT[status] ?? 'Request Header Fields Too Large'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
