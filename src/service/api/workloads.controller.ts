import { StatefulValidationError } from '../../errors';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Put,
  Query,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { StatefulExecutorService } from '../../stateful/stateful-executor.service';
import type { ServiceConfig } from '../config/environment';
import { SERVICE_CONFIG } from '../config/service-config.constants';
import { ApiErrors, JsonBody, NamespaceParam, ServiceParam, V1Docs } from './api-docs.decorators';
import {
  listParam,
  mapToObject,
  namedAsRequest,
  requiredField,
  strictBody,
  strictQuery,
} from './request-parsing';
import { WorkloadResponse, WorkloadStateBody, WorkloadsResponse } from './schemas';
import { V1Routes } from './v1-routes.decorator';

/** Workload (whole service) states (docs/http-api.md). */
@ApiTags('workloads')
@V1Docs()
@V1Routes()
@NamespaceParam()
@Controller('v1/namespaces/:ns')
export class WorkloadsController {
  constructor(
    private readonly store: StatefulExecutorService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Put('services/:svc/workload')
  @HttpCode(204)
  @ServiceParam()
  @JsonBody(WorkloadStateBody)
  @ApiNoContentResponse({ description: 'stored' })
  async setWorkloadState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ): Promise<void> {
    strictQuery(query, []);
    await this.store.setWorkloadState(
      ns,
      svc,
      requiredField<string>(strictBody(body, ['state']), 'state'),
    );
  }

  @Get('services/:svc/workload')
  @ServiceParam()
  @ApiOkResponse({ type: WorkloadResponse })
  @ApiErrors(404)
  async getWorkloadState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    const state = await this.store.getWorkloadState(ns, svc);
    if (state === null) throw new NotFoundException(`service ${svc} has no workload state`);
    return { state };
  }

  @Get('workloads')
  @ApiQuery({
    name: 'services',
    required: true,
    schema: { type: 'string', example: 'game,chat' },
    description: 'comma-separated service names, at most MAX_BATCH (default 1000)',
  })
  @ApiOkResponse({ type: WorkloadsResponse })
  async getWorkloadStates(@Param('ns') ns: string, @Query() query: unknown) {
    const { services } = strictQuery(query, ['services']);
    // Without it the answer would be an empty object that looks like "no service has a state".
    if (services === undefined) {
      throw new StatefulValidationError(
        'services',
        'is required: the service names, comma-separated',
      );
    }
    const names = listParam(services, 'services', this.config.maxBatch);
    const states = await namedAsRequest('serviceNames', 'services', () =>
      this.store.getWorkloadStates(ns, names),
    );
    return { workloads: mapToObject(states) };
  }
}
