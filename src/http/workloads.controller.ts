import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Put,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { StatefulExecutorService } from '../stateful/stateful-executor.service';
import { listParam, mapToObject, objectBody, requiredField } from './request-parsing';

/** Workload (whole service) states (SPEC §5). */
@ApiTags('workloads')
@Controller('v1/namespaces/:ns')
export class WorkloadsController {
  constructor(private readonly store: StatefulExecutorService) {}

  @Put('services/:svc/workload')
  @HttpCode(204)
  async setWorkloadState(
    @Param('ns') ns: string,
    @Param('svc') svc: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.store.setWorkloadState(ns, svc, requiredField<string>(objectBody(body), 'state'));
  }

  @Get('services/:svc/workload')
  async getWorkloadState(@Param('ns') ns: string, @Param('svc') svc: string) {
    const state = await this.store.getWorkloadState(ns, svc);
    if (state === null) throw new NotFoundException(`service ${svc} has no workload state`);
    return { state };
  }

  @Get('workloads')
  async getWorkloadStates(@Param('ns') ns: string, @Query('services') services?: string) {
    const states = await this.store.getWorkloadStates(ns, listParam(services, 'services'));
    return { workloads: mapToObject(states) };
  }
}
