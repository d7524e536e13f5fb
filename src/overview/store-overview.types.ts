/** One pod of a service as operators see it (StoreOverview.pods). */
export interface PodOverview {
  podId: number;
  /** Its state (`Ready`, `Draining`...), or null when it only reported a load. */
  state: string | null;
  /** Its last reported load, or null when it never reported one. */
  load: number | null;
  /** When its last report was stamped (unix ms, the Redis clock), or null. */
  reportedAt: number | null;
  /** How old that report is, on the Redis clock, or null. */
  ageMs: number | null;
  /** Where gateways reach it (`host:port`), when it reported one. */
  address: string | null;
  /** The period its last report stated, in ms, or null. */
  everyMs: number | null;
  /** Its status is the Java original's value (`<load>-<ms>-<avail>`). */
  javaStatus: boolean;
}

/** A service with pods in the store (StoreOverview.services). */
export interface ServiceRef {
  namespace: string;
  service: string;
}

/** One link of a user (StoreOverview.userLinks). */
export interface UserLinkOverview {
  service: string;
  podId: number;
  persistent: boolean;
  /** Time to live of a temporary link in ms; null for a persistent one. */
  ttlMs: number | null;
  /** Its fencing epoch; 0 when it has none (written by an original). */
  epoch: number;
}
