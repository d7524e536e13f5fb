import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SHUTDOWN_DELAY_MS } from './health.constants';

/**
 * Graceful shutdown: as soon as the application starts closing (onModuleDestroy, before the HTTP
 * server stops), readiness turns 503; then the server keeps serving for the configured delay so
 * that Kubernetes takes the pod out of its Service before connections are refused. Unlike
 * Terminus' own delay (SIGTERM only), this also applies to `app.close()`.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy, BeforeApplicationShutdown {
  private stopping = false;

  constructor(@Inject(SHUTDOWN_DELAY_MS) private readonly delayMs: number) {}

  get shuttingDown(): boolean {
    return this.stopping;
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  /** Says why the service stops (a signal, or a close from code) and what happens next. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    new Logger('Service').log(
      `Shutting down${signal ? ` on ${signal}` : ''}: readiness answers 503${
        this.delayMs > 0 ? `, connections close in ${this.delayMs} ms` : ', connections close now'
      }`,
    );
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
  }
}
