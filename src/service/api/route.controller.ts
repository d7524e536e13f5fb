import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NamespaceParam, ServiceParam, V1Docs } from './api-docs.decorators';
import { httpErrorBody } from '../../http/stateful-http-error';
import { ErrorBody } from './schemas';
import { isRetryable, RouteRequests } from './route-requests';
import { V1Routes } from './v1-routes.decorator';

/** The answer's headers, which the gateway copies (nginx auth_request_set, Caddy copy_headers). */
export const POD_HEADER = 'x-stateful-pod';
export const UPSTREAM_HEADER = 'x-stateful-upstream';
export const EPOCH_HEADER = 'x-stateful-epoch';
/** Seconds a gateway's client may wait before trying again after a 503. */
export const ROUTE_RETRY_AFTER_SECONDS = '1';

/**
 * The gateway route (docs/gateways.md): a stock reverse proxy asks it, before it forwards a request, where
 * the request's user goes. The work is RouteRequests'; on Fastify a plain handler serves it
 * (fastify-link-routes.ts), and this method declares it (path, OpenAPI) and serves it on Express.
 */
@ApiTags('route')
@V1Docs()
@V1Routes()
@NamespaceParam()
@Controller('v1/namespaces/:ns/services/:svc')
export class RouteController {
  constructor(private readonly routes: RouteRequests) {}

  @Get('route')
  @ServiceParam()
  @ApiHeader({
    name: 'x-stateful-uid',
    required: false,
    description: 'the user id (the header ROUTE_UID_HEADER names; it wins over ?uid=)',
  })
  @ApiQuery({
    name: 'uid',
    required: false,
    schema: { type: 'string' },
    description: 'the user id',
  })
  @ApiOkResponse({
    description:
      'empty body; the user is linked to the pod (computeLinkedPod with the route defaults: placed, kept or healed)',
    headers: {
      [POD_HEADER]: { description: 'the pod id', schema: { type: 'integer' } },
      [UPSTREAM_HEADER]: {
        description:
          'host:port to forward to: the address the pod reported, or ROUTE_UPSTREAM_TEMPLATE',
        schema: { type: 'string' },
      },
      [EPOCH_HEADER]: {
        description:
          "the link's fencing epoch: the pod checks it (isLinkOwner) before writing the user's state",
        schema: { type: 'integer' },
      },
    },
  })
  @ApiResponse({
    status: 503,
    description:
      'no eligible pod, no address for the pod, or Redis unavailable; Retry-After says when to try again',
    type: ErrorBody,
    example: httpErrorBody(503, 'No available pod for service game in namespace prod'),
    headers: { 'retry-after': { schema: { type: 'integer' } } },
  })
  async routeUser(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Headers() headers: Record<string, string | undefined>,
    @Query() query: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    try {
      const answer = await this.routes.route({ ns, svc }, headers, query);
      reply.header(POD_HEADER, String(answer.podId));
      reply.header(UPSTREAM_HEADER, answer.upstream);
      reply.header(EPOCH_HEADER, String(answer.epoch));
    } catch (error) {
      if (isRetryable(error)) reply.header('retry-after', ROUTE_RETRY_AFTER_SECONDS);
      throw error;
    }
  }
}
