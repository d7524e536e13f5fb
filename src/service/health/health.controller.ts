import { Controller, Get, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { LuaScriptsHealthIndicator } from '../../health/lua-scripts.health-indicator';
import { RedisHealthIndicator } from '../../health/redis.health-indicator';
import { ShutdownState } from './shutdown-state';

/**
 * Kubernetes probes: liveness is the process alone; readiness needs Redis, the scripts, and no
 * shutdown under way. The probes are open to anyone (also with API_TOKEN set), so they answer each
 * component's status only: why one is down (a Redis address, an error text) goes to the log.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  /** The last reason logged per component: a reason is logged when it changes, not at every probe. */
  private readonly reasons = new Map<string, string>();

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
      () => this.statusOnly('redis', this.redis.isHealthy()),
      () => this.statusOnly('redis-scripts', this.scripts.isHealthy()),
    ]);
  }

  /** A component's status without its details, which are logged (once per reason) when down. */
  private async statusOnly(
    key: string,
    check: Promise<HealthIndicatorResult>,
  ): Promise<HealthIndicatorResult> {
    const { status, ...details } = (await check)[key];
    const indicator = this.indicators.check(key);
    if (status === 'up') {
      this.reasons.delete(key);
      return indicator.up();
    }
    const reason = JSON.stringify(details);
    if (this.reasons.get(key) !== reason) {
      this.reasons.set(key, reason);
      this.logger.warn(`Readiness: ${key} is down: ${reason}`);
    }
    return indicator.down();
  }
}
