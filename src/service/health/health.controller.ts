import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiOkResponse({ description: 'the process is alive (Redis is not asked)' })
  @HealthCheck()
  live() {
    return this.health.check([
      () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  @Get('ready')
  @ApiOkResponse({
    description: 'Redis, the Lua scripts and the lifecycle are up (Terminus report)',
  })
  @ApiServiceUnavailableResponse({
    description: 'Redis or the scripts are down, or the service is shutting down (Terminus report)',
  })
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
