import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { translateRedisError } from '../errors';
import { LuaScriptRegistry } from '../scripts/lua-script-registry';
import { withTimeout } from '../redis/with-timeout';
import { DEFAULT_HEALTH_TIMEOUT_MS } from './health.constants';

/**
 * Terminus indicator: up when every master has every script cached. A script found missing
 * (SCRIPT FLUSH, restart) is loaded again before the verdict, so the check also heals. Answers
 * within `timeoutMs`, and at once while a connection is known to be down.
 */
@Injectable()
export class LuaScriptsHealthIndicator {
  constructor(
    private readonly registry: LuaScriptRegistry,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis-scripts', timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS) {
    const indicator = this.health.check(key);
    try {
      const status = await withTimeout(this.registry.ensureLoaded(), timeoutMs);
      if (status.loaded) return indicator.up({ scripts: this.registry.scripts.length });
      return indicator.down({ missing: status.missing });
    } catch (error) {
      // Typed: says "authentication failed" where Redis refused our credentials.
      return indicator.down({ message: translateRedisError(error, 'SCRIPT EXISTS').message });
    }
  }
}
