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
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiTokenGuard } from './api-token.guard';
import { StatefulExecutorService } from '../stateful/stateful-executor.service';
import {
  integerParam,
  mapToObject,
  objectBody,
  optionalIntegerParam,
  requiredField,
} from './request-parsing';
import { MeasuredOperations } from '../metrics/measured-operations.decorator';

/** Pod state and load reports of one service (SPEC §5). Handler names are the executor operations they serve. */
@ApiTags('pods')
@ApiBearerAuth()
@UseGuards(ApiTokenGuard)
@MeasuredOperations()
@Controller('v1/namespaces/:ns/services/:svc')
export class PodsController {
  constructor(private readonly store: StatefulExecutorService) {}

  @Put('pods/:podId/state')
  @HttpCode(204)
  async setServiceState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const state = requiredField<string>(objectBody(body), 'state');
    await this.store.setServiceState(ns, svc, integerParam(podId, 'podId'), state);
  }

  @Get('pods/:podId/state')
  async getServicePodState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
  ) {
    const id = integerParam(podId, 'podId');
    const state = await this.store.getServicePodState(ns, svc, id);
    if (state === null) throw new NotFoundException(`pod ${id} of service ${svc} has no state`);
    return { podId: id, state };
  }

  @Get('pods')
  async getServiceState(@Param('ns') ns: string, @Param('svc') svc: string) {
    return { pods: mapToObject(await this.store.getServiceState(ns, svc)) };
  }

  @Delete('pods/:podId')
  async removeServicePod(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
  ) {
    return { removed: await this.store.removeServicePod(ns, svc, integerParam(podId, 'podId')) };
  }

  @Put('pods/:podId/load')
  @HttpCode(204)
  async reportPodLoad(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Param('podId') podId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const load = requiredField<number>(objectBody(body), 'load');
    await this.store.reportPodLoad(ns, svc, integerParam(podId, 'podId'), load);
  }

  @ApiQuery({
    name: 'maxAgeMs',
    required: false,
    description: 'ignore reports older than this (default 30000)',
  })
  @Get('loads')
  async getPodLoads(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Query('maxAgeMs') maxAgeMs?: string,
  ) {
    const loads = await this.store.getPodLoads(ns, svc, optionalIntegerParam(maxAgeMs, 'maxAgeMs'));
    return { loads: mapToObject(loads) };
  }
}
