import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
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
import { StatefulValidationError } from '../../errors';
import { StatefulExecutorService } from '../../stateful/stateful-executor.service';
import type { PodStatusReport } from '../../core/stateful.types';
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
  namedAsRequest,
  optionalIntegerParam,
  requiredField,
  strictBody,
  strictQuery,
} from './request-parsing';
import {
  LoadBody,
  LoadsResponse,
  PodLoadEntry,
  LinkedUsersResponse,
  PodStateResponse,
  PodStatusBody,
  AddressesResponse,
  ReleaseBody,
  ReleasedResponse,
  PodsResponse,
  RemovedResponse,
  StateBody,
} from './schemas';
import { V1Routes } from './v1-routes.decorator';

/** Pod state and load reports of one service (docs/http-api.md). Handler names are the executor operations they serve. */
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

  /** The pod's heartbeat: load, and state when given, in one script (docs/operations.md). */
  @Put('pods/:podId/status')
  @HttpCode(204)
  @PodIdParam()
  @JsonBody(PodStatusBody)
  @ApiNoContentResponse({ description: 'stored, on the Redis clock' })
  async reportPodStatus(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ): Promise<void> {
    strictQuery(query, []);
    const { load, state, address, everyMs } = strictBody(body, [
      'load',
      'state',
      'address',
      'everyMs',
    ]);
    if (load === undefined) throw new StatefulValidationError('load', 'is required');
    const report = { load, state, address, everyMs } as PodStatusReport;
    await namedAsRequest('report.', '', () =>
      this.store.reportPodStatus(ns, svc, integerParam(podId, 'podId'), report),
    );
  }

  /** Reverse lookup: one page of the users linked to the pod (a SCAN step; for operators). */
  @Get('pods/:podId/users')
  @PodIdParam()
  @ApiQuery({
    name: 'cursor',
    required: false,
    schema: { type: 'string' },
    description: 'from the previous page',
  })
  @ApiQuery({
    name: 'count',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100000, default: 1000 },
    description: 'keys one SCAN step looks at',
  })
  @ApiOkResponse({ type: LinkedUsersResponse })
  async scanLinkedUsers(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Query() query: unknown,
  ) {
    const { cursor, count } = strictQuery(query, ['cursor', 'count']);
    const id = integerParam(podId, 'podId');
    const size = optionalIntegerParam(count, 'count');
    return namedAsRequest('options.', '', () =>
      this.store.scanLinkedUsersPage(ns, svc, id, { cursor, count: size }),
    );
  }

  /** Releases every link that points at the pod (compare-and-remove); their next compute places them elsewhere. */
  @Post('pods/:podId/release')
  @HttpCode(200)
  @PodIdParam()
  @JsonBody(ReleaseBody, false)
  @ApiOkResponse({ type: ReleasedResponse })
  async releasePodUsers(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Body() body: unknown,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    const { persistSeconds } = strictBody(body, ['persistSeconds'], { optional: true });
    const id = integerParam(podId, 'podId');
    const released = await namedAsRequest('options.', '', () =>
      this.store.releasePodUsers(ns, svc, id, {
        persistSeconds: persistSeconds as number | undefined,
      }),
    );
    return { released };
  }

  /** Where gateways reach each pod that reported an address (docs/gateways.md); read now. */
  @Get('addresses')
  @ApiOkResponse({ type: AddressesResponse })
  async getPodAddresses(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Query() query: unknown,
  ) {
    strictQuery(query, []);
    return { addresses: mapToObject(await this.store.getPodAddresses(ns, svc)) };
  }

  @Get('loads')
  @ApiQuery({
    name: 'maxAgeMs',
    required: false,
    schema: { type: 'integer', minimum: 0 },
    description:
      'ignore reports older than this (ms); default 30000, and 60000 for Java-format statuses',
  })
  @ApiOkResponse({ type: LoadsResponse })
  async getPodLoads(@Param('ns') ns: string, @Param('svc') svc: string, @Query() query: unknown) {
    const { maxAgeMs } = strictQuery(query, ['maxAgeMs']);
    const loads = await this.store.getPodLoads(ns, svc, optionalIntegerParam(maxAgeMs, 'maxAgeMs'));
    return { loads: mapToObject(loads) };
  }
}
