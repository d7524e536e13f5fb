export * from './stateful.error';
export * from './stateful-validation.error';
export * from './redis-unavailable.error';
export * from './script.error';
export * from './malformed-reply.error';
export * from './no-available-pod.error';
export * from './translate-redis-error';
