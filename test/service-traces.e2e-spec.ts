import { spawn, type ChildProcess } from 'child_process';
import { createServer, type Server } from 'http';
import { join } from 'path';
import { buildSrc } from './support/build-src';
import { freePort, RedisServer } from './support/redis-server';
import { waitUntil } from './support/wait-until';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

/**
 * The service with OTEL_EXPORTER_OTLP_ENDPOINT set, as a process, exporting to a small OTLP/HTTP
 * (JSON) receiver: a routed request that carries a W3C `traceparent` makes one trace, where the
 * HTTP server span is the gateway's child, the library's operation span the HTTP span's, and the
 * Redis commands the operation's.
 */
describe('the service exports traces (OTLP) when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  let redis: RedisServer;
  let receiver: Server;
  let service: ChildProcess;
  let port: number;
  const spans: ExportedSpan[] = [];

  beforeAll(async () => {
    const main = join(buildSrc('traces'), 'service', 'main.js');
    redis = await RedisServer.start();
    const receiverPort = await freePort();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const parsed = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[];
        };
        for (const resource of parsed.resourceSpans) {
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    }).listen(receiverPort, '127.0.0.1');
    port = await freePort();
    service = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: redis.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_SERVICE_NAME: 'stateful-store-test',
      },
      stdio: 'ignore',
    });
    await waitUntil(
      () =>
        fetch(`http://127.0.0.1:${port}/health/ready`)
          .then((response) => response.status === 200)
          .catch(() => false),
      'the service to be ready',
      30_000,
    );
  }, 120_000);
  afterAll(async () => {
    service?.kill('SIGKILL');
    receiver?.close();
    await redis?.destroy();
  });

  it('one routed request: the HTTP span, its operation span, and the Redis commands under it', async () => {
    const base = `http://127.0.0.1:${port}/v1/namespaces/prod/services/game`;
    await fetch(`${base}/pods/0/status`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ load: 1, state: 'Ready', address: '10.0.0.1:7000' }),
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const gatewaySpan = '00f067aa0ba902b7';
    const routed = await fetch(`${base}/route?uid=u1`, {
      headers: { traceparent: `00-${traceId}-${gatewaySpan}-01` },
    });
    expect(routed.status).toBe(200);
    await waitUntil(
      () =>
        Promise.resolve(
          spans.some(
            (span) => span.traceId === traceId && span.name === 'stateful.computeLinkedPod',
          ),
        ),
      'the trace to be exported',
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const trace = spans.filter((span) => span.traceId === traceId);
    const http = trace.find((span) => span.kind === 2 && span.parentSpanId === gatewaySpan);
    expect(http, JSON.stringify(trace.map((s) => s.name))).toBeDefined();
    const operation = trace.find((span) => span.name === 'stateful.computeLinkedPod')!;
    expect(operation.parentSpanId).toBe(http!.spanId);
    const commands = trace.filter((span) => span.parentSpanId === operation.spanId);
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.map((span) => span.name).join(' ')).toMatch(/evalsha/);
  });
});
