import type { LinkCacheOptions } from '../cache/link-cache-options';
import type { KeyLayout } from '../core/stateful-keys';
import type { DurabilityOptions } from '../durability/durability-options';
import type { PodAgentOptions } from '../pods/pod-agent-options';
import type { PodStatusFormat } from '../pods/pod-status-store';
import type { RedisModuleOptions } from '../redis/redis-module-options';

export interface StatefulModuleOptions {
  /** How to reach Redis: URL, host, Cluster, Sentinel, TLS, or an existing client. */
  redis: RedisModuleOptions;
  /**
   * Whose key names the store uses: `go` (default), the Go port's `P:{ns:lk:uid}svc`...; `java`, the
   * Java original's `slug-lk:{app:region:logic:uid:svc}`..., to share Redis with a Java fleet. In the
   * java layout the namespace is `<appId>:<regionId>:<logicType>`, uids hold no `:`, pod statuses are
   * Java's, and Redis must be a single server (standalone or Sentinel), not a Cluster.
   */
  keyLayout?: KeyLayout;
  /** The `P` of every key (`P:{ns:lk:uid}svc`...); default `sf` in the go layout, `slug` in java's. */
  keyPrefix?: string;
  /**
   * How long placement and healing may use a service's states and loads before reading them again
   * (the pod table; default 1000 ms; 0 reads them on every call).
   */
  podTableTtlMs?: number;
  /**
   * How `reportPodStatus` writes: `split` (default) into the state and load hashes; `java` as the
   * Java original does, `<load>-<unixMillis>-<avail>` in the state hash, for fleets whose Java
   * gateways must see this project's pods. Readers understand both. Always `java` in the java key
   * layout.
   */
  podStatusFormat?: PodStatusFormat;
  /**
   * The link cache (docs/link-cache.md; off by default): getLinkedPod and computeLinkedPod on an existing
   * link answered from memory, kept coherent by Redis client-side caching invalidations.
   */
  cache?: LinkCacheOptions;
  /**
   * Replicated acknowledgements (docs/reliability.md; off by default): link and pod status writes resolve only
   * once this many replicas have them (Redis WAIT on the connection that wrote).
   */
  durability?: DurabilityOptions;
  /**
   * OpenTelemetry: put the uid on each operation's span (`enduser.id`; default off, a uid is
   * personal data). Spans exist only where the host app installs an SDK.
   */
  traceUids?: boolean;
  /** Adds StatefulPodAgent's heartbeat: for Nest apps that run inside the StatefulSet. */
  pod?: PodAgentOptions;
}
