import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { StatefulError } from '../errors';
import { statefulErrorToHttp } from './stateful-http-error';

/**
 * Answers the library's errors the way the standalone service does (`statefulErrorToHttp`), so a
 * host app does not answer 500 for a bad uid or 500 for no available pod. Works on Express and
 * Fastify. Register it as `{ provide: APP_FILTER, useClass: StatefulExceptionFilter }`; other
 * exceptions keep the app's own handling.
 */
@Catch(StatefulError)
export class StatefulExceptionFilter implements ExceptionFilter<StatefulError> {
  private readonly logger = new Logger(StatefulExceptionFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: StatefulError, host: ArgumentsHost): void {
    const body = statefulErrorToHttp(error);
    if (body.statusCode >= 500 && body.statusCode !== 503) this.logger.error(error.message);
    const { httpAdapter } = this.adapterHost;
    httpAdapter.reply(host.switchToHttp().getResponse(), body, body.statusCode);
  }
}
