import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { LinkCache } from '../../cache/link-cache';
import { RedisConnectionPool } from '../../redis/redis-connection-pool';
import { LuaScriptRegistry } from '../../scripts/lua-script-registry';
import { MalformedEntries } from '../../core/malformed-entries';
import { OperationDurations } from './operation-durations';
import { PodStatusStore } from '../../pods/pod-status-store';

/** The service's Prometheus registry: per-operation latency and errors, Redis connections, script reloads. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly operationDuration = new OperationDurations(
    'stateful_operation_duration_seconds',
    'Time to serve one API operation, by operation and outcome',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    this.registry,
  );

  readonly operationErrors = new Counter({
    name: 'stateful_operation_errors_total',
    help: 'Failed API operations, by operation and error type (library error code or HTTP_<status>)',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });

  constructor(
    pool: RedisConnectionPool,
    scripts: LuaScriptRegistry,
    malformed: MalformedEntries,
    linkCache: LinkCache,
    pods: PodStatusStore,
  ) {
    collectDefaultMetrics({ register: this.registry });
    if (linkCache.enabled) registerLinkCacheMetrics(this.registry, linkCache);
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
    new Gauge({
      name: 'stateful_pods',
      help: "Known pods of each service this process routed to, by state, as of its last read of the service's pods (the pod table)",
      labelNames: ['namespace', 'service', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [namespace, service, snapshot] of pods.table.snapshots()) {
          for (const record of snapshot.pods.values()) {
            this.inc({ namespace, service, state: record.state ?? 'none' });
          }
        }
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

/** The link cache's counters (LINK_CACHE_MAX_ENTRIES), read from the cache at each scrape. */
function registerLinkCacheMetrics(registry: Registry, cache: LinkCache): void {
  const counters = [
    ['hits', 'Link reads answered from the link cache'],
    ['misses', 'Link reads the link cache could not answer (they went to Redis)'],
    ['evictions', 'Links evicted from the full link cache, least recently used first'],
    ['invalidations', 'Cached links dropped because Redis reported a change to them'],
  ] as const;
  for (const [field, help] of counters) {
    new Counter({
      name: `stateful_link_cache_${field}_total`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(cache.stats()[field]);
      },
    });
  }
  new Counter({
    name: 'stateful_link_cache_flushes_total',
    help: 'Times the link cache was emptied, by reason (tracking lost, topology changed, redis flush, database swapped)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(cache.stats().flushes)) {
        this.inc({ reason: reason.replace(' ', '_') }, count);
      }
    },
  });
  new Gauge({
    name: 'stateful_link_cache_entries',
    help: 'Links held by the link cache',
    registers: [registry],
    collect() {
      this.set(cache.stats().entries);
    },
  });
  new Gauge({
    name: 'stateful_link_cache_tracking',
    help: '1 while Redis reports changes to this process (the cache answers), 0 while not',
    registers: [registry],
    collect() {
      this.set(cache.stats().tracking ? 1 : 0);
    },
  });
}
