import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { StatefulExecutorService, StatefulModule } from '../src';
import { RedisServer } from './support/redis-server';

/**
 * With an OpenTelemetry SDK installed by the host app, every operation of the library is a span
 * `stateful.<operation>`, child of the span active where it was called, with its namespace, service
 * and outcome, whether the link cache answered, and the uid only with `traceUids: true`.
 */
describe('OpenTelemetry spans (an SDK with the in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let server: RedisServer;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    server = await RedisServer.start();
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    trace.disable();
    context.disable();
    await server.destroy();
  });
  beforeEach(() => exporter.reset());

  async function executor(options: { traceUids?: boolean; cache?: boolean } = {}) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: { url: server.url },
          ...(options.traceUids !== undefined && { traceUids: options.traceUids }),
          ...(options.cache && { cache: { maxEntries: 100 } }),
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    apps.push(app);
    return app.get(StatefulExecutorService);
  }

  it('one span per operation, under the caller\u2019s span, without the uid by default', async () => {
    const store = await executor();
    const parent = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await store.reportPodStatus('prod', 'game', 0, { load: 1, state: 'Ready' });
      await store.computeLinkedPod('prod', 'u1', 'game', -1);
      await store.getLinkedPod('prod', 'u1', 'game');
    });
    parent.end();
    const spans = exporter.getFinishedSpans().filter((span) => span.name.startsWith('stateful.'));
    expect(spans.map((span) => span.name)).toEqual([
      'stateful.reportPodStatus',
      'stateful.computeLinkedPod',
      'stateful.getLinkedPod',
    ]);
    for (const span of spans) {
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(span.attributes).toMatchObject({
        'stateful.namespace': 'prod',
        'stateful.service': 'game',
      });
      expect(span.attributes['enduser.id']).toBeUndefined();
      expect(JSON.stringify(span.attributes)).not.toContain('u1');
    }
  });

  it('the uid with traceUids, a failure with its type, and whether the cache answered', async () => {
    const store = await executor({ traceUids: true, cache: true });
    await store.setLinkedPod('prod', 'u2', 'game', 3, -1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.getLinkedPod('prod', 'u2', 'game');
    await store.getLinkedPod('prod', 'u2', 'game');
    await store.computeLinkedPod('prod', 'nobody', 'nopods', -1).catch(() => undefined);
    const spans = exporter.getFinishedSpans();
    const reads = spans.filter((span) => span.name === 'stateful.getLinkedPod');
    expect(reads.map((span) => span.attributes['enduser.id'])).toEqual(['u2', 'u2']);
    expect(reads.some((span) => span.attributes['stateful.cache_hit'] === true)).toBe(true);
    const failed = spans.find((span) => span.name === 'stateful.computeLinkedPod')!;
    expect(failed.status.code).toBe(2); // ERROR
    expect(failed.attributes['error.type']).toBe('NO_AVAILABLE_POD');
  });
});
