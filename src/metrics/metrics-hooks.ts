import type { FastifyInstance } from 'fastify';
import { rememberedErrorType } from '../http/http-error';
import { OPERATION_CONFIG_KEY } from './measured-operations.decorator';
import type { MetricsService } from './metrics.service';

/**
 * Times every response of a route named by `@MeasuredOperations()` (Fastify's own clock, from
 * the request's arrival to the last byte, so parsing and the guard count too) and counts failures
 * by error type: what the exception filter answered (the library's error code or HTTP_<status>).
 * A request the client aborts before its answer is not measured. Install before the app is
 * initialised.
 */
export function installMetricsHooks(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const config = request.routeOptions.config as unknown as Record<string, unknown>;
    const operation = config[OPERATION_CONFIG_KEY];
    if (typeof operation === 'string') {
      // An error is what the exception filter answered, or a 5xx: a refused `try` (409) is an
      // answer, not a failure.
      const type =
        rememberedErrorType(request.raw) ??
        (reply.statusCode >= 500 ? `HTTP_${reply.statusCode}` : undefined);
      metrics.operationDuration.observe(
        { operation, outcome: type === undefined ? 'ok' : 'error' },
        reply.elapsedTime / 1000,
      );
      if (type !== undefined) metrics.operationErrors.inc({ operation, type });
    }
    done();
  });
}
