import type { FastifyInstance } from 'fastify';
import { rememberedErrorType } from '../api/http-error';
import { v1RouteConfig } from '../api/v1-routes.decorator';
import type { MetricsService } from './metrics.service';

/**
 * Times every response of a `/v1` route (`@V1Routes()` names its operation) on Fastify's own
 * clock, from the request's arrival to the last byte, so parsing and the token check count too,
 * and counts failures by error type: what the exception filter or the token check answered (the
 * library's error code or HTTP_<status>). A request the client aborts before its answer is not
 * measured. Install before the app is initialised.
 */
export function installMetricsHooks(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = v1RouteConfig(request.routeOptions.config);
    if (route) {
      const operation = route.operation;
      // An error is what the filter answered, or a 5xx: a refused `try` (409) is an answer, not a failure.
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
