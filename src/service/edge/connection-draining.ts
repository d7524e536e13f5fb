import type { IncomingMessage } from 'http';
import { Socket } from 'net';
import type { FastifyInstance } from 'fastify';

/** Whether the application is shutting down (readiness 503, the shutdown delay under way). */
export interface ShutdownSignal {
  readonly shuttingDown: boolean;
}

/**
 * Graceful shutdown at the connection level. From the moment shutdown starts, every response
 * carries `Connection: close`, so keep-alive clients open their next connection elsewhere (the
 * pod has left the Service by the end of the delay) instead of having it reset when the listener
 * closes. When the server closes, requests whose body is still arriving are cut: a stalled body
 * must not hold the process (their clients get nothing back and retry; nothing was executed).
 */
export function installConnectionDraining(
  fastify: FastifyInstance,
  shutdown: ShutdownSignal,
): void {
  const lastRequests = new LastRequestPerConnection();
  fastify.addHook('onRequest', (request, _reply, done) => {
    lastRequests.arrived(request.raw);
    done();
  });
  // At send time, not on arrival: a request that arrived before the shutdown and is answered
  // during the delay must carry the mark too.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (shutdown.shuttingDown) void reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('preClose', (done) => {
    for (const [socket, raw] of lastRequests.entries()) if (!raw.complete) socket.destroy();
    done();
  });
}

/**
 * The last request that arrived on each open connection. On HTTP/1.1 only that one can still be
 * receiving its body: a connection's requests arrive one after the other. Kept per connection
 * rather than per request, so that a request costs one Map lookup and write instead of two event
 * listeners added and removed (about 2% of the service's CPU on the link routes). Connections are
 * learnt from their requests, so those of every address Fastify listens on are covered.
 */
class LastRequestPerConnection {
  private readonly requests = new Map<Socket, IncomingMessage>();

  arrived(raw: IncomingMessage): void {
    const socket = raw.socket;
    // `inject()` requests have a stand-in socket that never closes, and a closed socket has no
    // body left to cut: either would stay in the map.
    if (!(socket instanceof Socket) || socket.destroyed) return;
    if (!this.requests.has(socket)) socket.once('close', () => this.requests.delete(socket));
    this.requests.set(socket, raw);
  }

  entries(): IterableIterator<[Socket, IncomingMessage]> {
    return this.requests.entries();
  }
}
