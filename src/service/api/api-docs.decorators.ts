import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { httpErrorBody } from '../../http/stateful-http-error';
import { ErrorBody } from './schemas';

/** OpenAPI descriptions shared by the `/v1` routes: path parameters, errors, security. */

const NAME_PATTERN = '[A-Za-z0-9][A-Za-z0-9._-]{0,127}';
const NAME = { type: 'string', pattern: `^${NAME_PATTERN}$` } as const;
/** One name, or `<appId>:<regionId>:<logicType>` in the java key layout. */
const NAMESPACE = {
  type: 'string',
  pattern: `^${NAME_PATTERN}(:${NAME_PATTERN}:${NAME_PATTERN})?$`,
} as const;

/** Each error response's example, so Swagger UI does not show a 400 body under every status. */
const ERROR_EXAMPLES: Record<number, string> = {
  400: 'Invalid podId: must be an integer',
  401: 'missing or invalid bearer token',
  403: 'the pod token (tokens[0]) may not call setLinkedPod',
  404: 'user u1 has no link to service game',
  408: 'the request did not arrive in time (REQUEST_TIMEOUT_MS)',
  409: 'a persistent link to another pod exists',
  413: 'Request body is too large',
  415: 'Unsupported Media Type: send the body as application/json',
  503: 'Redis is unavailable',
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad input: the message names the field (also malformed JSON, invalid UTF-8, unknown fields or query parameters)',
  401: 'API_TOKEN or API_TOKENS_FILE is set and the Authorization header carries none of their tokens',
  403: "the token's role or scope does not allow this route (API_TOKENS_FILE)",
  404: 'not found',
  408: 'the request did not arrive within REQUEST_TIMEOUT_MS',
  409: 'mode try: a persistent link to another pod exists',
  413: 'body larger than BODY_LIMIT_BYTES',
  415: 'body is not application/json',
  503: 'Redis is unavailable (also when it refuses the credentials), or no pod is available',
};

/** The error responses of a route, each with the error body. */
export function ApiErrors(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status],
        type: ErrorBody,
        example: httpErrorBody(status, ERROR_EXAMPLES[status]),
      }),
    ),
  );
}

/** A JSON request body: documented with its schema, and its 408/413/415 answers. */
export function JsonBody(type: new () => unknown, required = true): MethodDecorator {
  return applyDecorators(ApiBody({ type, required }), ApiErrors(408, 413, 415));
}

/** Every `/v1` controller: bearer token (when configured), 400 and 401 on every route. */
export const V1_SECURITY = 'bearer';
export function V1Docs(): ClassDecorator {
  return applyDecorators(ApiSecurity(V1_SECURITY), ApiErrors(400, 401, 403, 503));
}

export const NamespaceParam = () =>
  ApiParam({
    name: 'ns',
    schema: NAMESPACE,
    description: 'namespace (`<appId>:<regionId>:<logicType>` with REDIS_KEY_LAYOUT=java)',
    example: 'prod',
  });
export const ServiceParam = () =>
  ApiParam({ name: 'svc', schema: NAME, description: 'service name', example: 'game' });
export const UidParam = () =>
  ApiParam({
    name: 'uid',
    schema: { type: 'string', minLength: 1, maxLength: 256 },
    description: 'user id: printable, without { } or control characters',
    example: 'u1',
  });
export const PodIdParam = () =>
  ApiParam({
    name: 'podId',
    schema: { type: 'integer', minimum: 0, maximum: 2_147_483_647 },
    description: 'pod ordinal',
    example: 0,
  });
