import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  RouteOptions,
} from 'fastify';
import type { Access, RequestScope } from './access/access';
import { httpErrorBody } from '../../http/stateful-http-error';
import { rememberErrorType } from '../api/http-error';
import { v1RouteConfig } from '../api/v1-routes.decorator';

/**
 * With API_TOKEN or API_TOKENS_FILE set, `/v1` routes need `Authorization: Bearer <token>`, and the
 * token's role and scope must allow the route (docs/http-api.md, "Roles"): 401 without a known
 * token, 403 naming what it may not do. Both are decided when the request arrives (Fastify's
 * onRequest), before its body is read: a client without the token cannot make the service buffer a
 * body. The route, not the URL, carries the requirement (V1Routes), so an encoded path is checked
 * the same. Refused requests that still have a body to send are answered with `Connection: close`,
 * so that body is never read. The hook is the route's own, added as Fastify registers each `/v1`
 * route (as the metrics hook is): other routes do not run it, and a request pays no route config
 * lookup (`request.routeOptions` builds an object on each read). Install before the app is
 * initialised.
 */
export function installApiTokenCheck(fastify: FastifyInstance, access: Access | undefined): void {
  if (access === undefined) return;
  const checkFor =
    (operation: string): onRequestHookHandler =>
    (request, reply, done) => {
      const match = /^bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      const grant = match ? access.identify(match[1]) : undefined;
      if (grant === undefined) {
        refuse(request, reply, 401, 'missing or invalid bearer token', new UnauthorizedException());
        return;
      }
      const params = request.params as RequestScope;
      const refusal = access.refusal(grant, operation, {
        ns: params.ns ?? (request.query as { namespace?: string }).namespace,
        svc: params.svc,
        podId: params.podId,
      });
      if (refusal === undefined) return done();
      refuse(request, reply, 403, refusal, new ForbiddenException());
    };
  fastify.addHook('onRoute', (route) => {
    const config = v1RouteConfig(route.config);
    if (config?.apiToken) prependOnRequest(route, checkFor(config.operation));
  });
}

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  status: 401 | 403,
  message: string,
  exception: Error,
): void {
  rememberErrorType(request.raw, exception);
  if (hasBody(request.headers)) void reply.header('connection', 'close');
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  void reply.code(status).send(httpErrorBody(status, message));
}

/** The token check first among the route's onRequest hooks; a new array (shallow route copies). */
function prependOnRequest(route: RouteOptions, hook: onRequestHookHandler): void {
  const existing = route.onRequest;
  route.onRequest =
    existing === undefined ? [hook] : [hook, ...(Array.isArray(existing) ? existing : [existing])];
}

/** The request says a body follows (a length above 0, or chunks). */
export function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
