import { UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'crypto';
import type { FastifyInstance } from 'fastify';
import { httpErrorBody } from '../../http/stateful-http-error';
import { rememberErrorType } from '../api/http-error';
import { v1RouteConfig } from '../api/v1-routes.decorator';

/**
 * With API_TOKEN set, `/v1` routes need `Authorization: Bearer <token>`, checked when the request
 * arrives (Fastify's onRequest), before its body is read: a client without the token cannot make
 * the service buffer a body. The route, not the URL, carries the requirement (V1Routes), so an
 * encoded path is checked the same. Refused requests that still have a body to send are answered
 * with `Connection: close`, so that body is never read.
 */
export function installApiTokenCheck(fastify: FastifyInstance, token: string | undefined): void {
  if (token === undefined) return;
  const expected = digest(token);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!v1RouteConfig(request.routeOptions.config)?.apiToken) return done();
    const match = /^bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    // Equal-length digests make the comparison constant-time whatever the token's length.
    if (match && timingSafeEqual(digest(match[1]), expected)) return done();
    rememberErrorType(request.raw, new UnauthorizedException());
    if (hasBody(request.headers)) void reply.header('connection', 'close');
    void reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send(httpErrorBody(401, 'missing or invalid bearer token'));
  });
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
