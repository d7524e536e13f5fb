import {
  Body,
  Controller,
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
import * as check from '../stateful/stateful-validators';
import { listParam, mapToObject, objectBody, requiredField } from './request-parsing';
import { MeasuredOperations } from '../metrics/measured-operations.decorator';

/** Workload (whole service) states (SPEC §5). */
@ApiTags('workloads')
@ApiBearerAuth()
@UseGuards(ApiTokenGuard)
@MeasuredOperations()
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

  @ApiQuery({ name: 'services', required: false, description: 'comma-separated service names' })
  @Get('workloads')
  async getWorkloadStates(@Param('ns') ns: string, @Query('services') services?: string) {
    const names = check.uniqueList<string>(
      listParam(services, 'services'),
      'services',
      check.assertServiceName,
    );
    const states = await this.store.getWorkloadStates(ns, names);
    return { workloads: mapToObject(states) };
  }
}
