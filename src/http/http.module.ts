import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiTokenGuard } from './api-token.guard';
import { LinksController } from './links.controller';
import { PodsController } from './pods.controller';
import { StatefulExceptionFilter } from './stateful-exception.filter';
import { WorkloadsController } from './workloads.controller';

/** The `/v1` API of SPEC §5 over the injected StatefulExecutorService. */
@Module({
  controllers: [PodsController, WorkloadsController, LinksController],
  providers: [ApiTokenGuard, { provide: APP_FILTER, useClass: StatefulExceptionFilter }],
})
export class HttpApiModule {}
