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

/**
 * Why pickPod found no pod, for the error an operator reads: how many pods are known and what keeps
 * each out, e.g. `3 pods known, none with a load report newer than 30000 ms` or
 * `2 pods known: 1 Draining, 1 at or above maxLoad 100`.
 */
export function explainNoPod(input: PodSelectionInput): string {
  const known = input.pods.size;
  if (known === 0) return 'no pod of the service is known: its pods must report their load';
  const reasons = new Map<string, number>();
  for (const [podId, record] of input.pods) {
    const maxAgeMs = record.java === true ? (input.javaMaxAgeMs ?? input.maxAgeMs) : input.maxAgeMs;
    const reason =
      record.state === SHUTDOWN_STATE
        ? 'Shutdown'
        : record.state === DRAINING_STATE
          ? 'Draining'
          : input.excludePods.has(podId)
            ? 'excluded'
            : record.load === undefined
              ? 'without a load report'
              : !isFresh(record.load, input.nowMs, maxAgeMs)
                ? `with a load report older than ${maxAgeMs} ms`
                : input.gone?.(record) === true
                  ? 'gone (its reports stopped)'
                  : `at or above maxLoad ${input.maxLoad}`;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const pods = `${known} pod${known === 1 ? '' : 's'} known`;
  const stale = [...reasons.keys()].find((reason) => reason.startsWith('with a load report older'));
  if (reasons.size === 1 && stale !== undefined) {
    const age = stale.slice('with a load report older than '.length);
    return `${pods}, none with a load report newer than ${age}: pods must keep reporting`;
  }
  return `${pods}, none available: ${[...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ')}`;
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
