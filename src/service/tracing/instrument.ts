import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * The OpenTelemetry SDK of the service, started only when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (in the real environment: it starts before `.env` is read), configured by the standard OTEL_*
 * variables (protocol, service name, batch delay...). Imported first by main.ts, so that the HTTP
 * and ioredis instrumentations see those modules load. Incoming `traceparent` headers are
 * followed; the library's operation spans nest under the HTTP spans, and Redis commands under them.
 */
export const tracingSdk: NodeSDK | undefined = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  ? new NodeSDK({
      serviceName: process.env.OTEL_SERVICE_NAME ?? 'stateful-store',
      instrumentations: [
        new HttpInstrumentation({
          // Probes and scrapes are not requests worth a trace.
          ignoreIncomingRequestHook: (request) => /^\/(health\/|metrics)/.test(request.url ?? ''),
        }),
        new IORedisInstrumentation(),
      ],
    })
  : undefined;

tracingSdk?.start();
