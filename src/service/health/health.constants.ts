/** Injection token: how long the service keeps serving after readiness turned 503 on shutdown. */
export const SHUTDOWN_DELAY_MS = Symbol('SHUTDOWN_DELAY_MS');
