import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { SHUTDOWN_DELAY_MS } from './health.constants';
import { ShutdownState } from './shutdown-state';

/** The standalone service's `/health/live` and `/health/ready`; the indicators come from the library. */
@Module({})
export class ServiceHealthModule {
  static forRoot(shutdownDelayMs: number): DynamicModule {
    return {
      module: ServiceHealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [ShutdownState, { provide: SHUTDOWN_DELAY_MS, useValue: shutdownDelayMs }],
    };
  }
}
