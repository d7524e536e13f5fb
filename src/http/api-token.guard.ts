import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'crypto';
import type { FastifyRequest } from 'fastify';
import { SERVICE_CONFIG } from '../config/service-config.constants';
import type { ServiceConfig } from '../config/environment';

/** With API_TOKEN set, `/v1` needs `Authorization: Bearer <token>`; health, metrics and docs stay open. */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.expected = config.apiToken === undefined ? undefined : digest(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.url.startsWith('/v1/')) return true;
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    // Equal-length digests make the comparison constant-time whatever the token's length.
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    throw new UnauthorizedException('missing or invalid bearer token');
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
