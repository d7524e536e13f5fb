import type { FastifyInstance, onResponseHookHandler, RouteOptions } from 'fastify';
import { rememberedErrorType } from '../api/http-error';
import { v1RouteConfig } from '../api/v1-routes.decorator';
import type { MetricsService } from './metrics.service';

/**
 * Times every response of a `/v1` route (`@V1Routes()` names its operation) on Fastify's own
 * clock, from the request's arrival to the last byte, so parsing and the token check count too,
 * and counts failures by error type: what the exception filter or the token check answered (the
 * library's error code or HTTP_<status>). A request the client aborts before its answer is not
 * measured. Install before the app is initialised.
 *
 * The hook is the route's own (added as Fastify registers each `/v1` route), made for its
 * operation with the operation's series at hand: other routes do not run it, and a request pays
 * neither a route config lookup (`request.routeOptions` builds an object on each read) nor a
 * label lookup.
 */
export function installMetricsHooks(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onRoute', (route) => {
    const operation = v1RouteConfig(route.config)?.operation;
    if (operation !== undefined) addOnResponse(route, operationHook(operation, metrics));
  });
}

function operationHook(operation: string, metrics: MetricsService): onResponseHookHandler {
  const ok = metrics.operationDuration.series(operation, 'ok');
  const failed = metrics.operationDuration.series(operation, 'error');
  return (request, reply, done) => {
    // An error is what the filter answered, or a 5xx: a refused `try` (409) is an answer, not a failure.
    const type =
      rememberedErrorType(request.raw) ??
      (reply.statusCode >= 500 ? `HTTP_${reply.statusCode}` : undefined);
    (type === undefined ? ok : failed).observe(reply.elapsedTime / 1000);
    if (type !== undefined) metrics.operationErrors.inc({ operation, type });
    done();
  };
}

/** Appends a route-level hook; a new array, as Fastify copies route options only shallowly. */
function addOnResponse(route: RouteOptions, hook: onResponseHookHandler): void {
  const existing = route.onResponse;
  route.onResponse =
    existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
}
