import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Observable, tap } from 'rxjs';
import { errorType } from '../http/http-error';
import { MetricsService } from './metrics.service';

/** Times every API handler; the handler's name is the operation (e.g. `computeLinkedPod`). */
@Injectable()
export class MetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const operation = context.getHandler().name;
    const stop = this.metrics.operationDuration.startTimer({ operation });
    return next.handle().pipe(
      tap({
        next: () => stop({ outcome: 'ok' }),
        error: (error: unknown) => {
          stop({ outcome: 'error' });
          this.metrics.operationErrors.inc({ operation, type: errorType(error) });
        },
      }),
    );
  }
}
