import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { StatefulExecutorService } from '../../stateful/stateful-executor.service';
import {
  ApiErrors,
  JsonBody,
  NamespaceParam,
  PodIdParam,
  ServiceParam,
  V1Docs,
} from './api-docs.decorators';
import {
  integerParam,
  mapToObject,
  optionalIntegerParam,
  requiredField,
  strictBody,
  strictQuery,
} from './request-parsing';
import {
  LoadBody,
  LoadsResponse,
  PodLoadEntry,
  PodStateResponse,
  PodsResponse,
  RemovedResponse,
  StateBody,
} from './schemas';
import { V1Routes } from './v1-routes.decorator';

/** Pod state and load reports of one service (SPEC §5). Handler names are the executor operations they serve. */
@ApiTags('pods')
@ApiExtraModels(PodLoadEntry)
@V1Docs()
@V1Routes()
@NamespaceParam()
@ServiceParam()
@Controller('v1/namespaces/:ns/services/:svc')
export class PodsController {
  constructor(private readonly store: StatefulExecutorService) {}

  @Put('pods/:podId/state')
  @HttpCode(204)
  @PodIdParam()
  @JsonBody(StateBody)
  @ApiNoContentResponse({ description: 'stored' })
  async setServiceState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ): Promise<void> {
    strictQuery(query, []);
    const state = requiredField<string>(strictBody(body, ['state']), 'state');
    await this.store.setServiceState(ns, svc, integerParam(podId, 'podId'), state);
  }

  @Get('pods/:podId/state')
  @PodIdParam()
  @ApiOkResponse({ type: PodStateResponse })
  @ApiErrors(404)
  async getServicePodState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    const id = integerParam(podId, 'podId');
    const state = await this.store.getServicePodState(ns, svc, id);
    if (state === null) throw new NotFoundException(`pod ${id} of service ${svc} has no state`);
    return { podId: id, state };
  }

  @Get('pods')
  @ApiOkResponse({ type: PodsResponse })
  async getServiceState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    return { pods: mapToObject(await this.store.getServiceState(ns, svc)) };
  }

  @Delete('pods/:podId')
  @PodIdParam()
  @ApiOkResponse({ type: RemovedResponse, description: 'removed: whether the pod was known' })
  async removeServicePod(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    return { removed: await this.store.removeServicePod(ns, svc, integerParam(podId, 'podId')) };
  }

  @Put('pods/:podId/load')
  @HttpCode(204)
  @PodIdParam()
  @JsonBody(LoadBody)
  @ApiNoContentResponse({ description: 'stored as <load>:<now ms> (Redis clock)' })
  async reportPodLoad(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ): Promise<void> {
    strictQuery(query, []);
    const load = requiredField<number>(strictBody(body, ['load']), 'load');
    await this.store.reportPodLoad(ns, svc, integerParam(podId, 'podId'), load);
  }

  @Get('loads')
  @ApiQuery({
    name: 'maxAgeMs',
    required: false,
    schema: { type: 'integer', minimum: 0, default: 30000 },
    description: 'ignore reports older than this (ms)',
  })
  @ApiOkResponse({ type: LoadsResponse })
  async getPodLoads(@Param('ns') ns: string, @Param('svc') svc: string, @Query() query: unknown) {
    const { maxAgeMs } = strictQuery(query, ['maxAgeMs']);
    const loads = await this.store.getPodLoads(ns, svc, optionalIntegerParam(maxAgeMs, 'maxAgeMs'));
    return { loads: mapToObject(loads) };
  }
}
