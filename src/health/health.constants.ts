/**
 * How long an indicator may take by default. Kubernetes gives a probe 1 s unless told otherwise,
 * and Terminus runs the indicators of one check side by side, so each stays well under it.
 */
export const DEFAULT_HEALTH_TIMEOUT_MS = 800;
