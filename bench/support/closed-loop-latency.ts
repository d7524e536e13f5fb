import { Agent, request } from 'http';
import { median } from './measure';

export interface LatencyRun {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

/**
 * `connections` callers, each sending its next request as soon as the last one is answered, over
 * keep-alive sockets; latencies in milliseconds with sub-millisecond resolution (autocannon
 * reports whole milliseconds, and every answer here takes less than one).
 */
export async function closedLoopLatency(options: {
  port: number;
  method: string;
  path: (i: number) => string;
  body?: string;
  /** Headers of request `i` (a routed request's user id), on top of the body's. */
  headers?: (i: number) => Record<string, string>;
  connections: number;
  durationMs: number;
}): Promise<LatencyRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const headers = options.body
    ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) }
    : {};
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const once = (i: number) =>
    new Promise<void>((resolve) => {
      const sentAt = performance.now();
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port: options.port,
          method: options.method,
          path: options.path(i),
          headers: options.headers ? { ...headers, ...options.headers(i) } : headers,
        },
        (response) => {
          response.resume();
          response.once('end', () => {
            latencies.push(performance.now() - sentAt);
            if ((response.statusCode ?? 500) >= 400) failures++;
            resolve();
          });
        },
      );
      req.once('error', () => {
        failures++;
        resolve();
      });
      req.end(options.body);
    });
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < deadline) await once(next++);
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / (elapsedMs / 1000),
    p50: median(sorted),
    p99: sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))],
    failures,
  };
}
