import { RouteConfig } from '@nestjs/platform-fastify';

/** What a `/v1` route carries in its Fastify route config, read by the edge and metrics hooks. */
export interface V1RouteConfig {
  /** The executor operation the handler serves (its name): the metrics label. */
  operation: string;
  /** The route needs the API token when one is configured. */
  apiToken: true;
}

/** Reads a route's V1RouteConfig, or undefined for routes outside `/v1` (health, metrics, docs). */
export function v1RouteConfig(config: unknown): V1RouteConfig | undefined {
  const candidate = config as Partial<V1RouteConfig> | undefined;
  return typeof candidate?.operation === 'string' ? (candidate as V1RouteConfig) : undefined;
}

/**
 * Marks every handler of a `/v1` controller in its Fastify route config: the metrics label and
 * the token requirement. Bound to the route, not to the URL, so an encoded path (`/v%31/...`)
 * that reaches the handler is checked the same; and read by Fastify hooks rather than a Nest
 * guard or interceptor, so the token is checked before the body is read, and the metrics cost
 * no rxjs pipeline per request (which halved throughput in `npm run bench`).
 */
export function V1Routes(): ClassDecorator {
  return (target) => {
    const prototype = target.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      if (name === 'constructor' || typeof descriptor?.value !== 'function') continue;
      const config: V1RouteConfig = { operation: name, apiToken: true };
      RouteConfig(config)(prototype, name, descriptor);
    }
  };
}
