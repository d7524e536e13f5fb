export const DEFAULT_KEY_PREFIX = 'sf';
export const DEFAULT_LOAD_MAX_AGE_MS = 30_000;
/** A pod in this state keeps its links but is never picked for a new one. */
export const DRAINING_STATE = 'Draining';
