/** A pod's last load report. `updatedAt` is unix milliseconds on the Redis server's clock. */
export interface PodLoad {
  load: number;
  updatedAt: number;
}

export interface TrySetLinkResult {
  /** false only when a persistent link to another pod exists. */
  success: boolean;
  /** The pod linked now: the requested one, or the holder when `success` is false. */
  podId: number;
}

export interface ComputeLinkOptions {
  /** Load reports older than this are ignored (default 30000 ms). */
  maxAgeMs?: number;
  /** Pods whose load is at or above this are not eligible for a new link. */
  maxLoad?: number;
  /** Pods never picked for a new link. */
  excludePods?: number[];
}

export interface ComputeLinkResult {
  podId: number;
  /** true when this call created the link; false when the user was already linked (or another caller won the race). */
  created: boolean;
}
