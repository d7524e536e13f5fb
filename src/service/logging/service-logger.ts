import { Logger, PinoLogger, type Params } from 'nestjs-pino';
import type { ServiceConfig } from '../config/environment';

const QUIET_ROUTES = /^\/(health\/|metrics)/;

/** Headers whose values never reach a log line. */
export const REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** Query parameters whose values never reach a log line (a client may put a token there). */
const SECRET_PARAMETER = /token|key|secret|passw|auth|session|signature|credential/i;
const CENSOR = '[redacted]';

/**
 * A logged request with its credentials censored wherever they can be: the headers above, and the
 * values of query parameters whose names say they are secret, in `url` and in `query` alike.
 */
function censorRequest(request: Record<string, unknown>): Record<string, unknown> {
  const url = typeof request.url === 'string' ? request.url : undefined;
  const query = request.query as Record<string, unknown> | undefined;
  if (url === undefined || !url.includes('?')) return request;
  const [path, search] = [url.slice(0, url.indexOf('?')), url.slice(url.indexOf('?') + 1)];
  const censored = search
    .split('&')
    .map((pair) => {
      const name = decodeSafely(pair.split('=')[0]);
      return SECRET_PARAMETER.test(name) ? `${pair.split('=')[0]}=${CENSOR}` : pair;
    })
    .join('&');
  return {
    ...request,
    url: `${path}?${censored}`,
    ...(query !== undefined && {
      query: Object.fromEntries(
        Object.entries(query).map(([name, value]) => [
          name,
          SECRET_PARAMETER.test(name) ? CENSOR : value,
        ]),
      ),
    }),
  };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** nestjs-pino's parameters for the service: level, redaction, which requests are logged. */
export function loggerParams(config: ServiceConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: {
        paths: REDACTED_HEADERS.map((header) => `req.headers["${header}"]`),
        censor: CENSOR,
      },
      serializers: {
        // pino-http's own serializer runs first; this one censors what it produced.
        req: (request: Record<string, unknown>) => censorRequest(request),
      },
      // Fastify's middleware layer rewrites req.url relative to the mount point; originalUrl is the path asked for.
      autoLogging: {
        ignore: (request) =>
          QUIET_ROUTES.test((request as { originalUrl?: string }).originalUrl ?? request.url ?? ''),
      },
      quietReqLogger: true,
    },
    // pino-http builds two child loggers per request even when it logs nothing: mount it only
    // when request lines are wanted. Nest's own logs go through pino either way.
    forRoutes: config.logRequests ? undefined : [],
  };
}

/** What Nest says after `init()`, before the server listens: main.ts says "Listening on" instead. */
const PREMATURE_STARTED = 'Nest application successfully started';

/**
 * The service's logger, given to Nest from the start rather than buffered until the app is built:
 * each start-up line carries the time of its event, not the time a buffer was flushed. Nest's
 * "successfully started" is left out: it comes before the server listens, so before a listen
 * error such as EADDRINUSE; main.ts logs "Listening on ..." once the port is bound.
 */
export class ServiceLogger extends Logger {
  constructor(config: ServiceConfig) {
    const params = loggerParams(config);
    super(new PinoLogger(params), params);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (message === PREMATURE_STARTED) return;
    super.log(message, ...optionalParams);
  }
}
