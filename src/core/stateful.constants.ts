export const DEFAULT_KEY_PREFIX = 'sf';
export const DEFAULT_LOAD_MAX_AGE_MS = 30_000;
/**
 * The freshness window for pods whose status is the Java original's, when a call sets none: two of
 * its 30 s beats, so that a Java pod whose beat is a little late stays eligible (docs/operations.md).
 */
export const DEFAULT_JAVA_LOAD_MAX_AGE_MS = 60_000;
/**
 * When a pod that never stated its period is gone: three of the Java original's 30 s beats. A pod
 * that states its period (`everyMs`) is gone after DEFAULT_MISSED_BEATS of them instead.
 */
export const DEFAULT_GONE_AFTER_MS = 90_000;
/** Periods a pod that stated its period may miss before it is gone (plus the pod table's age). */
export const DEFAULT_MISSED_BEATS = 3;
/** What a user placed on a pod since its last report adds to its load (placement accounting). */
export const DEFAULT_LOAD_PER_USER = 1;
export const DEFAULT_POD_TABLE_TTL_MS = 1_000;

/** Pod states with a meaning to the store; any other string behaves as Ready. */
export const READY_STATE = 'Ready';
export const DRAINING_STATE = 'Draining';
export const SHUTDOWN_STATE = 'Shutdown';
