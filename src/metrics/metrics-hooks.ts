import type { FastifyInstance } from 'fastify';
import { rememberedErrorType } from '../http/http-error';
import { OPERATION_CONFIG_KEY } from './measured-operations.decorator';
import type { MetricsService } from './metrics.service';

/**
 * Times every response of a route named by `@MeasuredOperations()` (Fastify's own clock,
 * `reply.elapsedTime`) and counts failures by error type: the library's error code that the
 * exception filter remembered, else HTTP_<status>. Install before the app is initialised.
 */
export function installMetricsHooks(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const config = request.routeOptions.config as unknown as Record<string, unknown>;
    const operation = config[OPERATION_CONFIG_KEY];
    if (typeof operation === 'string') {
      const failed = reply.statusCode >= 400;
      metrics.operationDuration.observe(
        { operation, outcome: failed ? 'error' : 'ok' },
        reply.elapsedTime / 1000,
      );
      if (failed) {
        const type = rememberedErrorType(request.raw) ?? `HTTP_${reply.statusCode}`;
        metrics.operationErrors.inc({ operation, type });
      }
    }
    done();
  });
}
