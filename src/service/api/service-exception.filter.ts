import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RedisUnavailableError } from '../../errors';
import { rememberErrorType, toHttpError } from './http-error';

/** Redis outages fail every request at once: their log lines are limited to one a second. */
const OUTAGE_LOG_INTERVAL_MS = 1_000;

/** Every error of every route as the JSON of docs/http-api.md; server-side failures are logged, not shown. */
@Catch()
export class ServiceExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private lastOutageLogAt = -Infinity;
  private suppressedOutages = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (
      exception instanceof ServiceUnavailableException &&
      isHealthReport(exception.getResponse())
    ) {
      // Terminus' readiness report (503) goes out as Terminus made it: probes and people read it.
      void reply.status(503).send(exception.getResponse());
      return;
    }
    rememberErrorType(host.switchToHttp().getRequest<FastifyRequest>().raw, exception);
    const body = toHttpError(exception);
    if (exception instanceof RedisUnavailableError) this.logOutage(exception);
    else if (body.statusCode >= 500) this.logger.error(describe(exception));
    void reply.status(body.statusCode).send(body);
  }

  private logOutage(error: RedisUnavailableError): void {
    const now = Date.now();
    if (now - this.lastOutageLogAt < OUTAGE_LOG_INTERVAL_MS) {
      this.suppressedOutages++;
      return;
    }
    const suppressed = this.suppressedOutages;
    this.lastOutageLogAt = now;
    this.suppressedOutages = 0;
    this.logger.error(
      suppressed > 0
        ? `${error.message} (and ${suppressed} more such errors since the last line)`
        : error.message,
    );
  }
}

function describe(exception: unknown): string {
  return exception instanceof Error ? exception.message : String(exception);
}

function isHealthReport(response: unknown): boolean {
  return (
    typeof response === 'object' &&
    response !== null &&
    'status' in response &&
    'details' in response
  );
}
