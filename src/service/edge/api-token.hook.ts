import { UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'crypto';
import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import { httpErrorBody } from '../../http/stateful-http-error';
import { rememberErrorType } from '../api/http-error';
import { v1RouteConfig } from '../api/v1-routes.decorator';

/**
 * With API_TOKEN set, `/v1` routes need `Authorization: Bearer <token>`, checked when the request
 * arrives (Fastify's onRequest), before its body is read: a client without the token cannot make
 * the service buffer a body. The route, not the URL, carries the requirement (V1Routes), so an
 * encoded path is checked the same. Refused requests that still have a body to send are answered
 * with `Connection: close`, so that body is never read. The hook is the route's own, added as
 * Fastify registers each `/v1` route (as the metrics hook is): other routes do not run it, and a
 * request pays no route config lookup (`request.routeOptions` builds an object on each read).
 * Install before the app is initialised.
 */
export function installApiTokenCheck(fastify: FastifyInstance, token: string | undefined): void {
  if (token === undefined) return;
  const expected = new TokenComparison(token);
  const check: onRequestHookHandler = (request, reply, done) => {
    const match = /^bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (match && expected.matches(match[1])) return done();
    rememberErrorType(request.raw, new UnauthorizedException());
    if (hasBody(request.headers)) void reply.header('connection', 'close');
    void reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send(httpErrorBody(401, 'missing or invalid bearer token'));
  };
  fastify.addHook('onRoute', (route) => {
    if (v1RouteConfig(route.config)?.apiToken) prependOnRequest(route, check);
  });
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

/** API_TOKEN's longest allowed length: every comparison covers this many bytes. */
const TOKEN_WIDTH = 256;

/**
 * Compares a presented token with the configured one in constant time whatever its length (up to
 * the longest token allowed): both are zero-padded to TOKEN_WIDTH bytes and compared whole, and
 * the lengths are compared after. Padding rather than hashing both sides: a SHA-256 per request
 * was about a third of the gateway route's own CPU (`npm run bench -- --only=gateway`).
 */
class TokenComparison {
  private readonly expected: Buffer;
  private readonly scratch = Buffer.alloc(TOKEN_WIDTH);

  constructor(private readonly token: string) {
    this.expected = Buffer.alloc(TOKEN_WIDTH);
    this.expected.write(token, 'latin1');
  }

  matches(presented: string): boolean {
    if (presented.length > TOKEN_WIDTH) return false; // no configured token is that long
    this.scratch.fill(0);
    this.scratch.write(presented, 'latin1');
    const same = timingSafeEqual(this.scratch, this.expected);
    return same && presented.length === this.token.length;
  }
}
