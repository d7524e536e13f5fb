import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NoAvailablePodError, RedisUnavailableError } from '../../errors';
import { RateLimitedLog } from './rate-limited-log';
import { rememberErrorType, toHttpError } from './http-error';

/**
 * Redis outages fail every request at once, and a service without an available pod every new user
 * of it: their log lines are limited to one a second (per service for the latter).
 */
const FLOOD_LOG_INTERVAL_MS = 1_000;

/** Every error of every route as the JSON of docs/http-api.md; server-side failures are logged, not shown. */
@Catch()
export class ServiceExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');
  private readonly outages = new RateLimitedLog(FLOOD_LOG_INTERVAL_MS);
  private readonly noPods = new RateLimitedLog(FLOOD_LOG_INTERVAL_MS);

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
    // An expected answer (the pods are full, draining or silent), not a failure of the service.
    else if (exception instanceof NoAvailablePodError) this.logNoPod(exception);
    else if (body.statusCode >= 500) this.logger.error(describe(exception));
    void reply.status(body.statusCode).send(body);
  }

  private logOutage(error: RedisUnavailableError): void {
    this.outages.write('redis', (held) => this.logger.error(error.message + more(held)));
  }

  private logNoPod(error: NoAvailablePodError): void {
    const service = `${error.namespace}/${error.serviceName}`;
    this.noPods.write(service, (held) => this.logger.warn(error.message + more(held)));
  }
}

function more(held: number): string {
  return held > 0 ? ` (and ${held} more such errors since the last line)` : '';
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
