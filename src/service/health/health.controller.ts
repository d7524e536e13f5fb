import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { LuaScriptsHealthIndicator } from '../../health/lua-scripts.health-indicator';
import { RedisHealthIndicator } from '../../health/redis.health-indicator';
import { ShutdownState } from './shutdown-state';

/** Kubernetes probes: liveness is the process alone; readiness needs Redis, the scripts, and no shutdown under way. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisHealthIndicator,
    private readonly scripts: LuaScriptsHealthIndicator,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([
      () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const indicator = this.indicators.check('lifecycle');
        return this.shutdown.shuttingDown
          ? indicator.down({ message: 'shutting down' })
          : indicator.up();
      },
      () => this.redis.isHealthy(),
      () => this.scripts.isHealthy(),
    ]);
  }
}
