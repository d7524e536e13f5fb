import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RedisConnectionPool } from '../../redis/redis-connection-pool';
import { LuaScriptRegistry } from '../../scripts/lua-script-registry';
import { MalformedEntries } from '../../stateful/malformed-entries';

/** The service's Prometheus registry: per-operation latency and errors, Redis connections, script reloads. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly operationDuration = new Histogram({
    name: 'stateful_operation_duration_seconds',
    help: 'Time to serve one API operation, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly operationErrors = new Counter({
    name: 'stateful_operation_errors_total',
    help: 'Failed API operations, by operation and error type (library error code or HTTP_<status>)',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });

  constructor(pool: RedisConnectionPool, scripts: LuaScriptRegistry, malformed: MalformedEntries) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'stateful_redis_connections',
      help: 'Pooled Redis connections (Cluster clients count once), by state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const client of pool.clients)
          this.inc({ state: client.status === 'ready' ? 'ready' : 'not_ready' });
      },
    });
    new Counter({
      name: 'stateful_malformed_entries_total',
      help: 'Entries left out of reads of many entries because their stored value does not parse, by key kind (state, load, link, userLinks)',
      labelNames: ['key_kind'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [kind, count] of malformed.totals) this.inc({ key_kind: kind }, count);
      },
    });
    new Counter({
      name: 'stateful_lua_script_reloads_total',
      help: 'Lua script bodies sent again after Redis lost them (restart, SCRIPT FLUSH, new master): each call that met NOSCRIPT, and each script the readiness check reloaded',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(scripts.reloads);
      },
    });
  }
}
