import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LinkRequests } from './link-requests';
import { LinksController } from './links.controller';
import { OverviewController } from './overview.controller';
import { PodsController } from './pods.controller';
import { RouteController } from './route.controller';
import { RouteRequests } from './route-requests';
import { ServiceExceptionFilter } from './service-exception.filter';
import { WorkloadsController } from './workloads.controller';

/**
 * The `/v1` API of docs/http-api.md over the injected StatefulExecutorService. The token check, body
 * parsing and timeouts are the edge's (src/service/edge), installed on Fastify by the app factory.
 */
@Module({
  controllers: [
    PodsController,
    WorkloadsController,
    LinksController,
    RouteController,
    OverviewController,
  ],
  providers: [
    LinkRequests,
    RouteRequests,
    { provide: APP_FILTER, useClass: ServiceExceptionFilter },
  ],
})
export class ApiModule {}
