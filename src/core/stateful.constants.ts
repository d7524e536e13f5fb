export const DEFAULT_KEY_PREFIX = 'sf';
export const DEFAULT_LOAD_MAX_AGE_MS = 30_000;
/** Four times the freshness window: a pod that is merely slow or paused keeps its users. */
export const DEFAULT_GONE_AFTER_MS = 120_000;
export const DEFAULT_POD_TABLE_TTL_MS = 1_000;

/** Pod states with a meaning to the store; any other string behaves as Ready. */
export const READY_STATE = 'Ready';
export const DRAINING_STATE = 'Draining';
export const SHUTDOWN_STATE = 'Shutdown';
