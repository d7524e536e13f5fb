import { StatefulValidationError } from '../errors';
import * as check from '../core/validators';
import {
  DEFAULT_JAVA_LOAD_MAX_AGE_MS,
  DEFAULT_LOAD_MAX_AGE_MS,
  DEFAULT_LOAD_PER_USER,
  DEFAULT_MISSED_BEATS,
} from '../core/stateful.constants';
import type { GoneRule } from '../pods/pod-status';
import type { ComputeLinkOptions } from '../core/stateful.types';

/** computeLinkedPod's options, checked and with their defaults: how pods are picked and healed. */
export interface PlacementChoice extends GoneRule {
  readonly maxAgeMs: number;
  /** The same for pods with a Java status: `maxAgeMs` when the call set it, else 60000. */
  readonly javaMaxAgeMs: number;
  readonly maxLoad?: number;
  readonly excludePods: ReadonlySet<number>;
  readonly heal: boolean;
  readonly loadTolerance: number;
  /** What a user placed since a pod's last report adds to its load; 0 turns the accounting off. */
  readonly loadPerUser: number;
}

const MAX_LOAD_PER_USER = 1_000_000;
/** More pods than a StatefulSet has: a longer list only costs CPU on every call. */
export const MAX_EXCLUDED_PODS = 10_000;

/** `options.excludePods`, its length checked before its entries (each costs a check). */
function excludedPods(excludePods: unknown): ReadonlySet<number> {
  if (Array.isArray(excludePods) && excludePods.length > MAX_EXCLUDED_PODS) {
    throw new StatefulValidationError(
      'options.excludePods',
      `must list at most ${MAX_EXCLUDED_PODS} pods`,
    );
  }
  return new Set(check.uniqueList<number>(excludePods, 'options.excludePods', check.assertPodId));
}

export const DEFAULT_CHOICE: PlacementChoice = Object.freeze({
  maxAgeMs: DEFAULT_LOAD_MAX_AGE_MS,
  javaMaxAgeMs: DEFAULT_JAVA_LOAD_MAX_AGE_MS,
  maxLoad: undefined,
  excludePods: new Set<number>(),
  heal: true,
  goneAfterMs: undefined,
  missedBeats: DEFAULT_MISSED_BEATS,
  loadTolerance: 0,
  loadPerUser: DEFAULT_LOAD_PER_USER,
});

/**
 * Refuses bad options before Redis is touched (fields named `options.<name>`) and returns them
 * resolved. Reads each field once: the caller may reuse the object while the call runs. Allocates
 * nothing when no option is set, for most calls find a link and never use them. Null means the
 * default.
 */
export function checkComputeOptions(options: ComputeLinkOptions | undefined): PlacementChoice {
  if (options === undefined) return DEFAULT_CHOICE;
  if (options === null || typeof options !== 'object') {
    throw new StatefulValidationError('options', 'must be an object');
  }
  const { maxAgeMs, maxLoad, excludePods, heal, goneAfterMs, missedBeats, loadTolerance } = options;
  const { loadPerUser } = options;
  if (
    loadPerUser == null &&
    maxAgeMs == null &&
    maxLoad == null &&
    excludePods == null &&
    heal == null &&
    goneAfterMs == null &&
    missedBeats == null &&
    loadTolerance == null
  ) {
    return DEFAULT_CHOICE;
  }
  if (maxAgeMs != null) check.assertMaxAgeMs(maxAgeMs, 'options.maxAgeMs');
  if (maxLoad != null) {
    check.assertFiniteNumber(maxLoad, 'options.maxLoad');
    // A load is >= 0: a maxLoad of 0 or less would leave no pod eligible, ever.
    if (maxLoad <= 0)
      throw new StatefulValidationError('options.maxLoad', 'must be greater than 0');
  }
  if (heal != null && typeof heal !== 'boolean') {
    throw new StatefulValidationError('options.heal', 'must be true or false');
  }
  if (goneAfterMs != null) check.assertMaxAgeMs(goneAfterMs, 'options.goneAfterMs');
  if (missedBeats != null) check.assertIntegerIn(missedBeats, 'options.missedBeats', 1, 100);
  if (loadTolerance != null) check.assertLoad(loadTolerance, 'options.loadTolerance');
  if (loadPerUser != null) {
    check.assertLoad(loadPerUser, 'options.loadPerUser');
    if (loadPerUser > MAX_LOAD_PER_USER) {
      throw new StatefulValidationError(
        'options.loadPerUser',
        `must be at most ${MAX_LOAD_PER_USER}`,
      );
    }
  }
  return {
    maxAgeMs: maxAgeMs ?? DEFAULT_LOAD_MAX_AGE_MS,
    javaMaxAgeMs: maxAgeMs ?? DEFAULT_JAVA_LOAD_MAX_AGE_MS,
    maxLoad: maxLoad ?? undefined,
    excludePods: excludePods == null ? DEFAULT_CHOICE.excludePods : excludedPods(excludePods),
    heal: heal ?? true,
    goneAfterMs: goneAfterMs ?? undefined,
    missedBeats: missedBeats ?? DEFAULT_MISSED_BEATS,
    loadTolerance: loadTolerance ?? 0,
    loadPerUser: loadPerUser ?? DEFAULT_LOAD_PER_USER,
  };
}
