import type { IncomingMessage } from 'http';
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
  const receiving = new Set<IncomingMessage>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const raw = request.raw;
    if (!raw.complete) {
      receiving.add(raw);
      const forget = () => receiving.delete(raw);
      raw.once('end', forget);
      raw.once('close', forget);
    }
    done();
  });
  // At send time, not on arrival: a request that arrived before the shutdown and is answered
  // during the delay must carry the mark too.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (shutdown.shuttingDown) void reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.addHook('preClose', (done) => {
    for (const raw of receiving) if (!raw.complete) raw.socket?.destroy();
    done();
  });
}
