import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LinkParams, LinkRequests } from './link-requests';
import {
  EPOCH_HEADER,
  POD_HEADER,
  ROUTE_RETRY_AFTER_SECONDS,
  UPSTREAM_HEADER,
} from './route.controller';
import { isRetryable, type RouteParams, type RouteRequests } from './route-requests';
import { v1RouteConfig } from './v1-routes.decorator';

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** Called before a link route's Redis call: lets the writes of one event-loop turn go out together. */
export type BeforeRedisCall = () => void;

/**
 * Serves the hot routes, those of one link (PUT, GET, DELETE, compute) and the gateway route, on
 * Fastify with plain handlers instead
 * of Nest's router, pipes and response handling, which cost about a third of the service's CPU on
 * these routes (`npm run bench -- --only=http`). Nest still registers the routes from
 * LinksController and RouteController, with their path, route config (token check, metrics label) and OpenAPI
 * document; as Fastify adds each route, this swaps in the plain handler. Everything else stays
 * Nest's and Fastify's: hooks, body parsing, the exception filter (errors go to the error handler
 * Nest installed, and so to ServiceExceptionFilter), the not-found handler. Install before the app
 * is initialised.
 */
export function serveLinkRoutesOnFastify(
  fastify: FastifyInstance,
  links: LinkRequests,
  routes: RouteRequests,
  beforeRedisCall: BeforeRedisCall,
): void {
  const handlers: Record<string, Handler> = {
    setLinkedPod: async (request, reply) => {
      beforeRedisCall();
      const answer = await links.set(linkParams(request), request.body, request.query);
      void reply.code(answer.status);
      return answer.body;
    },
    getLinkedPod: (request) => {
      beforeRedisCall();
      return links.get(linkParams(request), request.query);
    },
    removeLinkedPod: (request) => {
      beforeRedisCall();
      return links.remove(linkParams(request), request.query);
    },
    computeLinkedPod: (request) => {
      beforeRedisCall();
      return links.compute(linkParams(request), request.body, request.query);
    },
    routeUser: async (request, reply) => {
      beforeRedisCall();
      try {
        const answer = await routes.route(
          request.params as RouteParams,
          request.headers,
          request.query,
        );
        return reply
          .header(POD_HEADER, String(answer.podId))
          .header(UPSTREAM_HEADER, answer.upstream)
          .header(EPOCH_HEADER, String(answer.epoch))
          .send();
      } catch (error) {
        if (isRetryable(error)) void reply.header('retry-after', ROUTE_RETRY_AFTER_SECONDS);
        throw error;
      }
    },
  };
  fastify.addHook('onRoute', (route) => {
    const operation = v1RouteConfig(route.config)?.operation;
    // GET routes come here twice: once more for the HEAD route Fastify adds.
    if (operation !== undefined && Object.hasOwn(handlers, operation)) {
      route.handler = requireNonEmptyParams(handlers[operation]);
    }
  });
}

function linkParams(request: FastifyRequest): LinkParams {
  return request.params as LinkParams;
}

/**
 * As Nest's Fastify adapter does for its routes (and Express does): a request with an empty path
 * parameter (`/users//links/game`) is not this route's, it goes to the not-found handler (404).
 */
function requireNonEmptyParams(handler: Handler): Handler {
  return (request, reply) => {
    const params = request.params as Record<string, string>;
    for (const name in params) {
      if (params[name] === '') {
        reply.callNotFound();
        return undefined;
      }
    }
    return handler(request, reply);
  };
}
