import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { StoreOverview } from '../../overview/store-overview';
import { SERVICE_CONFIG } from '../config/service-config.constants';
import type { ServiceConfig } from '../config/environment';
import { NamespaceParam, ServiceParam, UidParam, V1Docs } from './api-docs.decorators';
import { booleanParam, listParam, strictQuery } from './request-parsing';
import {
  ServiceOverviewResponse,
  ServicesResponse,
  UserOverviewResponse,
} from './overview-schemas';
import { V1Routes } from './v1-routes.decorator';

/**
 * What operators look at (the console, docs/operating.md): the services in the store, a service's pods with
 * their report age and address, a user's links. Reads only; counting users is a scan per pod.
 */
@ApiTags('overview')
@V1Docs()
@V1Routes()
@Controller('v1')
export class OverviewController {
  constructor(
    private readonly overview: StoreOverview,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get('services')
  @ApiQuery({ name: 'namespace', required: false, type: String })
  @ApiOkResponse({ type: ServicesResponse })
  async listServices(@Query() query: unknown) {
    const { namespace } = strictQuery(query, ['namespace']);
    return this.overview.services(namespace);
  }

  @Get('namespaces/:ns/services/:svc/overview')
  @NamespaceParam()
  @ServiceParam()
  @ApiQuery({
    name: 'users',
    required: false,
    type: Boolean,
    description: "count each pod's users (a scan)",
  })
  @ApiOkResponse({ type: ServiceOverviewResponse })
  async getServiceOverview(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    const withUsers = booleanParam(strictQuery(query, ['users']).users, 'users');
    const pods = await this.overview.podList(ns, svc);
    if (!withUsers) return { namespace: ns, service: svc, pods };
    const counts = await Promise.all(
      pods.map((pod) => this.overview.countUsers(ns, svc, pod.podId)),
    );
    return {
      namespace: ns,
      service: svc,
      pods: pods.map((pod, i) => ({ ...pod, users: counts[i] })),
    };
  }

  @Get('namespaces/:ns/users/:uid/overview')
  @NamespaceParam()
  @UidParam()
  @ApiQuery({
    name: 'services',
    required: false,
    type: String,
    description: 'services to look at, comma-separated (default: every service of the namespace)',
  })
  @ApiOkResponse({ type: UserOverviewResponse })
  async getUserOverview(
    @Param('ns') ns: string,
    @Param('uid') uid: string,
    @Query() query: unknown,
  ) {
    const { services } = strictQuery(query, ['services']);
    const names =
      services === undefined
        ? (await this.overview.services(ns)).services.map((s) => s.service)
        : listParam(services, 'services', this.config.maxBatch);
    return { namespace: ns, uid, links: await this.overview.userLinks(ns, uid, names) };
  }
}
