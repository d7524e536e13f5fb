import type { PodLoad } from './stateful.types';
import { DRAINING_STATE } from './stateful.constants';

export interface PodSelectionInput {
  loads: ReadonlyMap<number, PodLoad>;
  states: ReadonlyMap<number, string>;
  nowMs: number;
  maxAgeMs: number;
  maxLoad?: number;
  excludePods: ReadonlySet<number>;
}

/**
 * The least-loaded eligible pod, or null. Eligible: a fresh load report, below `maxLoad`, not
 * excluded, not Draining. Ties are broken at random so that gateways racing on new users (all
 * pods reporting 0 at start, say) spread them instead of piling onto the lowest pod id.
 */
export function pickLeastLoadedPod(
  input: PodSelectionInput,
  random: () => number = Math.random,
): number | null {
  let best: number[] = [];
  let bestLoad = Infinity;
  for (const [podId, report] of input.loads) {
    if (!isEligible(podId, report, input)) continue;
    if (report.load < bestLoad) {
      bestLoad = report.load;
      best = [podId];
    } else if (report.load === bestLoad) {
      best.push(podId);
    }
  }
  if (best.length === 0) return null;
  return best[Math.min(best.length - 1, Math.floor(random() * best.length))];
}

/** Reports not older than maxAgeMs; a timestamp ahead of now (another writer's clock) counts as fresh. */
export function isFresh(report: PodLoad, nowMs: number, maxAgeMs: number): boolean {
  return nowMs - report.updatedAt <= maxAgeMs;
}

function isEligible(podId: number, report: PodLoad, input: PodSelectionInput): boolean {
  return (
    isFresh(report, input.nowMs, input.maxAgeMs) &&
    (input.maxLoad === undefined || report.load < input.maxLoad) &&
    !input.excludePods.has(podId) &&
    input.states.get(podId) !== DRAINING_STATE
  );
}
