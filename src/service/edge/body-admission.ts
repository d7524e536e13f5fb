import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Socket } from 'net';
import { HTTP_STATUS_TEXT, httpErrorBody } from '../../http/stateful-http-error';
import { hasBody } from './api-token.hook';

export interface BodyAdmissionOptions {
  /** Requests whose body is being received at most; beyond, 503 before a byte of it is read. */
  maxBodiesInFlight: number;
  /** Time a body may take to arrive once its headers have; then 408, and the connection closes. */
  bodyTimeoutMs: number;
  /** Open connections at most (Node's `server.maxConnections`): beyond, new ones are closed. */
  maxConnections: number;
}

/**
 * Bounds the memory that slow or stalled bodies can hold: a body is buffered until it is complete,
 * so many clients each sending a body and stopping short would hold `bodyLimit` each for as long as
 * the request may take. Here at most `maxBodiesInFlight` bodies arrive at once, each within
 * `bodyTimeoutMs`, on at most `maxConnections` connections. Runs on arrival (onRequest), before
 * anything is read. Install before the app is initialised.
 */
export function installBodyAdmission(
  fastify: FastifyInstance,
  options: BodyAdmissionOptions,
): void {
  fastify.server.maxConnections = options.maxConnections;
  let inFlight = 0;
  const admit: onRequestHookHandler = (request, reply, done) => {
    if (!hasBody(request.headers)) {
      done();
      return;
    }
    if (inFlight >= options.maxBodiesInFlight) {
      void reply
        .code(503)
        .header('connection', 'close')
        .header('retry-after', '1')
        .send(
          httpErrorBody(
            503,
            'too many request bodies arriving at once (MAX_BODIES_IN_FLIGHT): retry',
          ),
        );
      return;
    }
    inFlight++;
    let admitted = true;
    const release = () => {
      if (!admitted) return;
      admitted = false;
      inFlight--;
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      release();
      answerAndClose(
        request.raw.socket,
        408,
        'the request body did not arrive in time (BODY_TIMEOUT_MS)',
      );
    }, options.bodyTimeoutMs);
    // Read in full, answered, or gone: whichever comes first ends the admission.
    request.raw.once('end', release);
    request.raw.once('close', release);
    reply.raw.once('finish', release);
    done();
  };
  // Each route's own hook, after the token check (which the token hook puts first): a client
  // without the token never takes a place.
  fastify.addHook('onRoute', (route) => {
    const existing = route.onRequest;
    route.onRequest =
      existing === undefined
        ? [admit]
        : [...(Array.isArray(existing) ? existing : [existing]), admit];
  });
}

function answerAndClose(socket: Socket, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(httpErrorBody(status, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${HTTP_STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
