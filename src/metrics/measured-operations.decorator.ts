import { RouteConfig } from '@nestjs/platform-fastify';

/** The Fastify route config key under which a route names its operation for metrics. */
export const OPERATION_CONFIG_KEY = 'operation';

/**
 * Names every route of a controller after its handler (`setLinkedPod`, ...) in the Fastify route
 * config, where the metrics hooks read it. Hooks instead of a Nest interceptor: the interceptor
 * pipeline (rxjs, async-context binding) cost the link routes about half their throughput in
 * `npm run bench`.
 */
export function MeasuredOperations(): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      if (name === 'constructor' || typeof descriptor?.value !== 'function') continue;
      RouteConfig({ [OPERATION_CONFIG_KEY]: name })(prototype, name, descriptor);
    }
  };
}
