import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rememberErrorType, toHttpError } from './http-error';

/** Every error of every route as the JSON of SPEC §5; server-side failures are logged, not shown. */
@Catch()
export class StatefulExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

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
    if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? exception.message : String(exception));
    }
    void reply.status(body.statusCode).send(body);
  }
}

function isHealthReport(response: unknown): boolean {
  return (
    typeof response === 'object' &&
    response !== null &&
    'status' in response &&
    'details' in response
  );
}
