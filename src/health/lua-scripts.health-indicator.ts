import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LuaScriptRegistry } from '../scripts/lua-script-registry';
import { withTimeout } from '../redis/with-timeout';

/**
 * Terminus indicator: up when every master has every script cached. A script found missing
 * (SCRIPT FLUSH, restart) is loaded again before the verdict, so the check also heals.
 */
@Injectable()
export class LuaScriptsHealthIndicator {
  constructor(
    private readonly registry: LuaScriptRegistry,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key = 'redis-scripts', timeoutMs = 2_000) {
    const indicator = this.health.check(key);
    try {
      const status = await withTimeout(this.registry.ensureLoaded(), timeoutMs);
      if (status.loaded) return indicator.up({ scripts: this.registry.scripts.length });
      return indicator.down({ missing: status.missing });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
