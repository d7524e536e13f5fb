/** A pod's last load report. `updatedAt` is unix milliseconds on the Redis server's clock. */
export interface PodLoad {
  load: number;
  updatedAt: number;
}

/** A pod's heartbeat (`reportPodStatus`): its load, and its state when it changes. */
export interface PodStatusReport {
  load: number;
  /** `Ready`, `Draining`, `Shutdown`, or any other state string; left as it is when omitted. */
  state?: string;
  /**
   * Where gateways reach the pod, `host:port` (IPv4, `[IPv6]` or a DNS name); left as it is when
   * omitted. Kept in a key of its own that the Go/Java originals never read.
   */
  address?: string;
  /**
   * The reporter's period in ms (100 to 3600000): the pod is gone after `missedBeats` of them
   * without a report. It holds for this report: a report without it puts the pod under the 90 s
   * rule (`goneAfterMs`'s default). StatefulPodAgent sends its reportEveryMs with every report.
   */
  everyMs?: number;
}

export interface TrySetLinkResult {
  /** false only when a persistent link to another pod exists. */
  success: boolean;
  /** The pod linked now: the requested one, or the holder when `success` is false. */
  podId: number;
}

export interface ComputeLinkOptions {
  /** Load reports older than this are ignored when a pod is picked (default 30000 ms). */
  maxAgeMs?: number;
  /** Pods whose load is at or above this are not eligible for a new link. */
  maxLoad?: number;
  /** Pods never picked for a new link. */
  excludePods?: number[];
  /** Move a user whose linked pod is gone to a live pod (default true). */
  heal?: boolean;
  /**
   * A pod whose last load report is older than this is gone, whatever period it stated. Unset: a
   * pod that stated its period is gone after `missedBeats` of them plus the pod table's age, any
   * other after 90000 ms.
   */
  goneAfterMs?: number;
  /** Periods a pod that stated its period may miss before it is gone (default 3). */
  missedBeats?: number;
  /**
   * What each user placed on a pod since its last report adds to its load, as every gateway sees
   * it (default 1; 0 turns the accounting off): a burst of new users spreads instead of piling
   * onto the pod that reported the lowest load.
   */
  loadPerUser?: number;
  /** Pick at random among eligible pods whose load is at most the lowest plus this (default 0). */
  loadTolerance?: number;
}

export interface ComputeLinkResult {
  podId: number;
  /** true when this call created the link; false when the user was already linked (or another caller won the race). */
  created: boolean;
  /**
   * The link's fencing epoch (docs/operations.md): greater than every epoch the link had before; a new one
   * whenever the user is linked to another pod or linked anew. Hand it to the pod, which checks it
   * (`isLinkOwner`, `StatefulPodAgent.owns`) before it writes the user's state.
   */
  epoch: number;
  /**
   * Set only for the call whose compare-and-set moved the user off a pod that is gone: that pod.
   * Gateways racing on the same user get the new pod and its epoch without it.
   */
  movedFrom?: number;
}

/** A link with its fencing epoch (`getLink`). */
export interface LinkWithEpoch {
  podId: number;
  /**
   * The link's epoch; 0 when it has none for its pod (a Go/Java original wrote or moved it): the
   * next computeLinkedPod or write through this project issues one.
   */
  epoch: number;
  /** true without a TTL (the user is active), false for a temporary link. */
  persistent: boolean;
}
