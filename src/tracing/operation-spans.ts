import {
  context,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';

/** The library's tracer: a no-op until the host app installs an OpenTelemetry SDK. */
const tracer = trace.getTracer('nest-stateful-redis');

/** The API's no-op provider: what the global provider delegates to until an SDK is installed. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an SDK is installed. Asked on every operation: it costs a property read, where a no-op
 * span (created, checked, dropped) cost several per cent of a cached read (`npm run bench`).
 */
export function tracingInstalled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/**
 * Runs an operation of the store in a span `stateful.<operation>`, child of the active span (the
 * service's HTTP span, or the host app's). Without an SDK the span records nothing and `run` runs
 * as it is: no context switch and no attributes built, so the hot path pays one no-op span.
 */
export function inOperationSpan<T>(
  operation: string,
  attributes: () => Attributes,
  run: () => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(`stateful.${operation}`, { kind: SpanKind.INTERNAL });
  if (!span.isRecording()) return run();
  span.setAttributes(attributes());
  let result: Promise<T>;
  try {
    result = context.with(trace.setSpan(context.active(), span), run);
  } catch (error) {
    result = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      span.setAttribute('error.type', typeof code === 'string' ? code : (error as Error).name);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
      throw error;
    },
  );
}

/** Marks the active operation span as answered from the link cache (nothing without an SDK). */
export function markCacheHit(): void {
  trace.getActiveSpan()?.setAttribute('stateful.cache_hit', true);
}
