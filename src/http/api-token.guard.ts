import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SERVICE_CONFIG } from '../config/service-config.constants';
import type { ServiceConfig } from '../config/environment';

/**
 * With API_TOKEN set, the `/v1` controllers (which carry this guard) need `Authorization: Bearer
 * <token>`. Bound to the controllers, not to the URL: an encoded path (`/v%31/...`) reaches the same
 * handler and so the same guard. Health, metrics and docs do not carry it.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.expected = config.apiToken === undefined ? undefined : digest(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const match = /^bearer +(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    // Equal-length digests make the comparison constant-time whatever the token's length.
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException('missing or invalid bearer token');
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
