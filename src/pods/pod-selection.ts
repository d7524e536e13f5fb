import { DRAINING_STATE, SHUTDOWN_STATE } from '../core/stateful.constants';
import { isFresh, type PodRecord } from './pod-status';

export interface PodSelectionInput {
  pods: ReadonlyMap<number, PodRecord>;
  nowMs: number;
  /** Load reports older than this do not make a pod eligible. */
  maxAgeMs: number;
  /** The same for pods with a Java status (default `maxAgeMs`). */
  javaMaxAgeMs?: number;
  /** Pods whose load is at or above this are not eligible. */
  maxLoad?: number;
  excludePods: ReadonlySet<number>;
  /** Pick among every eligible pod whose load is at most the lowest plus this (default 0). */
  loadTolerance?: number;
  /** Pods this says are gone are not eligible, whatever their last report's age. */
  gone?: (record: PodRecord) => boolean;
  /**
   * What each user placed on a pod since its last report adds to its load (default 0): a pod's
   * load is its report's plus this times `placed`, for the order and for `maxLoad` alike.
   */
  loadPerUser?: number;
}

/**
 * A pod for a new link, or null. Eligible: a fresh load report, below `maxLoad`, not excluded, not
 * Draining, not Shutdown. The pick is uniform among the eligible pods whose load is at most the
 * lowest plus `loadTolerance` (Java's "good range"): ties, and near-ties within the tolerance, are
 * spread at random, so gateways racing on new users, or working from a table a second old, spread
 * them instead of piling onto one pod.
 */
export function pickPod(
  input: PodSelectionInput,
  random: () => number = Math.random,
): number | null {
  const eligible: [number, number][] = [];
  let lowest = Infinity;
  const perUser = input.loadPerUser ?? 0;
  for (const [podId, record] of input.pods) {
    const report = record.load;
    if (report === undefined) continue;
    const load = report.load + perUser * (record.placed ?? 0);
    if (!isEligible(podId, record, load, input)) continue;
    eligible.push([podId, load]);
    if (load < lowest) lowest = load;
  }
  if (eligible.length === 0) return null;
  const ceiling = lowest + (input.loadTolerance ?? 0);
  const good = eligible.filter(([, load]) => load <= ceiling);
  return good[Math.min(good.length - 1, Math.floor(random() * good.length))][0];
}

function isEligible(
  podId: number,
  record: PodRecord,
  load: number,
  input: PodSelectionInput,
): boolean {
  return (
    isFresh(
      record.load!,
      input.nowMs,
      record.java === true ? (input.javaMaxAgeMs ?? input.maxAgeMs) : input.maxAgeMs,
    ) &&
    (input.maxLoad === undefined || load < input.maxLoad) &&
    !input.excludePods.has(podId) &&
    record.state !== DRAINING_STATE &&
    record.state !== SHUTDOWN_STATE &&
    input.gone?.(record) !== true
  );
}
