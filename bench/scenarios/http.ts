import autocannon from 'autocannon';
import { startLibrary } from '../support/library';
import { serverCpuMicros, startTarget, stopTarget, type Target } from '../support/target-process';
import { clientCpus, lastCpu, pin } from '../support/machine';
import { closedLoopLatency, type LatencyRun } from '../support/closed-loop-latency';
import { compare, median, ratioOf, type Compared } from '../support/measure';
import { formatNumber, type Section, type TargetCheck } from '../support/report';

const CONNECTIONS = 64;
const TARGET_RATIO = 0.8;
const CACHED_TARGET_RATIO = 0.9;
const TARGET_P99_MS = 10;
const USERS = 10_000;

interface Load {
  label: string;
  target: Target;
  method: 'GET' | 'PUT';
  path: (i: number) => string;
  body?: string;
}

interface Run {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
  serverCpu: number;
}

/**
 * The HTTP API driven by autocannon (64 connections, no pipelining): the link PUT and GET routes
 * of the service on Fastify and on Express, against a bare route of the same framework returning
 * a constant JSON, all measured in turns in the same run; then p50/p99 at half the peak rate.
 * Every server is a child process pinned to the client CPUs; autocannon runs here, moved next to
 * Redis for the duration, so that the server under test has a core of its own.
 */
export async function httpApi(
  redisUrl: string,
  rounds: number,
  durationMs: number,
): Promise<{ sections: Section[]; targets: TargetCheck[] }> {
  const env = { REDIS_URL: redisUrl };
  const targets = await Promise.all([
    startTarget('bare-fastify', env),
    startTarget('nest-fastify', env),
    startTarget('service-fastify', env),
    startTarget('bare-express', env),
    startTarget('service-express', env),
    startTarget('service-fastify', { ...env, LOG_REQUESTS: 'true' }),
    startTarget('service-fastify', { ...env, LINK_CACHE_MAX_ENTRIES: String(2 * USERS) }),
  ]);
  const [bareFastify, nestFastify, fastify, bareExpress, express, loggingFastify, cachedFastify] =
    targets;
  // Every uid the GET route asks for has a link, so that it answers 200, not 404.
  const library = await startLibrary({ url: redisUrl });
  for (let i = 0; i < USERS; i++)
    await library.executor.setLinkedPod('bench', `u${i}`, 'game', 3, -1);
  await library.close();
  pin(process.pid, String(lastCpu()));
  try {
    const link = (i: number) => `/v1/namespaces/bench/users/u${i % USERS}/links/game`;
    const body = JSON.stringify({ podId: 3, persistSeconds: -1 });
    const loads: Load[] = [
      {
        label: 'bare Fastify, GET constant JSON',
        target: bareFastify,
        method: 'GET',
        path: () => '/constant',
      },
      {
        label: 'Nest on Fastify, GET constant JSON',
        target: nestFastify,
        method: 'GET',
        path: () => '/constant',
      },
      { label: 'service on Fastify, PUT link', target: fastify, method: 'PUT', path: link, body },
      { label: 'service on Fastify, GET link', target: fastify, method: 'GET', path: link },
      {
        label: 'bare Fastify, PUT constant JSON (body parsed)',
        target: bareFastify,
        method: 'PUT',
        path: () => '/constant',
        body,
      },
      {
        label: 'bare Express, GET constant JSON',
        target: bareExpress,
        method: 'GET',
        path: () => '/constant',
      },
      { label: 'service on Express, PUT link', target: express, method: 'PUT', path: link, body },
      { label: 'service on Express, GET link', target: express, method: 'GET', path: link },
      {
        label: 'service on Fastify, LOG_REQUESTS=true, PUT link',
        target: loggingFastify,
        method: 'PUT',
        path: link,
        body,
      },
      {
        label: 'service on Fastify, LOG_REQUESTS=true, GET link',
        target: loggingFastify,
        method: 'GET',
        path: link,
      },
      {
        label: 'service on Fastify, LINK_CACHE_MAX_ENTRIES=20000, GET link',
        target: cachedFastify,
        method: 'GET',
        path: link,
      },
    ];
    const cachedGet = loads[loads.length - 1];
    for (const load of loads) await checkAnswers(load);
    const cpu = new Map<Load, number[]>(loads.map((load) => [load, []]));
    const results = await compare(
      rounds,
      loads.map((load) => async () => {
        const run = await drive(load, durationMs);
        cpu.get(load)?.push(run.serverCpu);
        if (run.failures > 0) throw new Error(`${load.label}: ${run.failures} failed requests`);
        return run.requestsPerSecond;
      }),
    );
    const byLabel = new Map(loads.map((load, i) => [load.label, results[i]]));
    const result = (label: string) => byLabel.get(label) as Compared;
    // Each route against the bare route of its framework that does the same HTTP work: a Fastify
    // PUT against the bare PUT, which parses the same body.
    const bareOf = (load: Load) => {
      if (load.label.includes('Express')) return loads[5];
      return load.method === 'PUT' && load !== loads[4] ? loads[4] : loads[0];
    };
    // Requests per second of server CPU: the fair comparison when the client, not the server, limits
    // a fast baseline (autocannon shares its core with Redis; bare routes do not fill theirs).
    const perCpu = (load: Load) => result(load.label).median / median(cpu.get(load) ?? []);
    const perCpuRatio = (load: Load) => perCpu(load) / perCpu(bareOf(load));
    const peakRows = loads.map((load, i) => [
      load.label,
      formatNumber(results[i].median),
      `${formatNumber(100 * median(cpu.get(load) ?? []))}%`,
      load === bareOf(load) ? '1' : ratioOf(results[i], result(bareOf(load).label)).toFixed(3),
      formatNumber(perCpu(load)),
      load === bareOf(load) ? '1' : perCpuRatio(load).toFixed(3),
    ]);
    peakRows.forEach((row) => console.log(`  ${row.join(' | ')}`));

    const latencyRows: string[][] = [];
    const checks: TargetCheck[] = [];
    for (const load of [loads[2], loads[3], loads[0]]) {
      const halfPeak = result(load.label).median / 2;
      const { connections, run } = await closedLoopNear(
        load,
        halfPeak,
        Math.max(durationMs, 5_000),
      );
      latencyRows.push([
        load.label,
        formatNumber(halfPeak),
        String(connections),
        formatNumber(run.requestsPerSecond),
        run.p50.toFixed(2),
        run.p99.toFixed(2),
      ]);
      if (load !== loads[0]) {
        checks.push({
          target: `HTTP ${load.method} link: p99 < ${TARGET_P99_MS} ms at half the peak rate`,
          measured: `${run.p99.toFixed(2)} ms at ${formatNumber(run.requestsPerSecond)} req/s`,
          met: run.p99 < TARGET_P99_MS,
        });
      }
      console.log(`  ${latencyRows[latencyRows.length - 1].join(' | ')}`);
    }
    for (const load of [loads[2], loads[3]]) {
      const ratio = ratioOf(result(load.label), result(bareOf(load).label));
      checks.unshift({
        target: `HTTP ${load.method} link route >= ${TARGET_RATIO} x bare Fastify ${load.method} (per server CPU-second)`,
        measured: `${perCpuRatio(load).toFixed(3)} x per CPU-second (${ratio.toFixed(3)} x in requests/s)`,
        met: perCpuRatio(load) >= TARGET_RATIO,
      });
    }
    const cachedRatio = perCpuRatio(cachedGet);
    checks.unshift({
      target: `HTTP GET link route with the link cache >= ${CACHED_TARGET_RATIO} x bare Fastify GET (per server CPU-second)`,
      measured: `${cachedRatio.toFixed(3)} x per CPU-second (${ratioOf(
        result(cachedGet.label),
        result(loads[0].label),
      ).toFixed(3)} x in requests/s; ${ratioOf(
        result(cachedGet.label),
        result(loads[3].label),
      ).toFixed(2)} x the same route without the cache)`,
      met: cachedRatio >= CACHED_TARGET_RATIO,
    });
    const fastVsExpress = ['PUT', 'GET'].map(
      (method) =>
        `${method} ${ratioOf(
          result(`service on Fastify, ${method} link`),
          result(`service on Express, ${method} link`),
        ).toFixed(2)}x`,
    );
    return {
      sections: [
        {
          title: 'HTTP API, peak throughput (standalone Redis)',
          notes: [
            `autocannon, ${CONNECTIONS} connections, no pipelining, ${durationMs} ms per round. Link routes use 10,000`,
            'uids in turn; the PUT body is `{"podId":3,"persistSeconds":-1}`. Ratio: against the bare route of the',
            'same framework in the same round (for a PUT on Fastify: the bare PUT, which parses the same body).',
            "Server CPU: the server process's CPU time over wall time (100% = one",
            'core busy). The service runs with its defaults (LOG_LEVEL=info, LOG_REQUESTS=false) unless the row says',
            `otherwise. "Nest on Fastify" is a Nest controller returning the constant: the floor of any Nest route.`,
            `Fastify over Express, the service's link routes: ${fastVsExpress.join(', ')}.`,
          ],
          header: [
            'target',
            'requests/s',
            'server CPU',
            'ratio to bare route',
            'requests per CPU-second',
            'ratio per CPU-second',
          ],
          rows: peakRows,
        },
        {
          title: 'HTTP API, latency at half the peak rate',
          notes: [
            "Closed loop: Node's http client with the number of keep-alive connections (1, 2, 4, ... 64) whose",
            'throughput comes nearest to half the median peak above, run for at least 5 s, latencies in sub-ms',
            "resolution. (autocannon reports whole milliseconds, and its rate limit sends each second's budget at",
            "full speed and then idles.) The bare route's row is the floor of this client on this machine.",
          ],
          header: [
            'target',
            'half peak (req/s)',
            'connections',
            'served (req/s)',
            'p50 (ms)',
            'p99 (ms)',
          ],
          rows: latencyRows,
        },
      ],
      targets: checks,
    };
  } finally {
    pin(process.pid, clientCpus());
    await Promise.all(targets.map(stopTarget));
  }
}

/** The closed-loop concurrency whose throughput comes nearest `rate`, and a full run at it. */
async function closedLoopNear(
  load: Load,
  rate: number,
  durationMs: number,
): Promise<{ connections: number; run: LatencyRun }> {
  const measure = (connections: number, ms: number) =>
    closedLoopLatency({ ...load, port: load.target.port, connections, durationMs: ms });
  let best = { connections: 1, distance: Infinity };
  for (let connections = 1; connections <= CONNECTIONS; connections *= 2) {
    const probe = await measure(connections, 1_000);
    const distance = Math.abs(probe.requestsPerSecond - rate);
    if (distance < best.distance) best = { connections, distance };
    if (probe.requestsPerSecond >= rate) break;
  }
  const run = await measure(best.connections, durationMs);
  if (run.failures > 0) throw new Error(`${load.label}: ${run.failures} failed requests`);
  return { connections: best.connections, run };
}

/** One request of the load, to see that it answers 2xx before it is measured. */
async function checkAnswers(load: Load): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${load.target.port}${load.path(0)}`, {
    method: load.method,
    headers: { 'content-type': 'application/json' },
    body: load.body,
  });
  if (!response.ok) {
    throw new Error(`${load.label} answered ${response.status}: ${await response.text()}`);
  }
}

async function drive(load: Load, durationMs: number): Promise<Run> {
  let next = 0;
  const cpuBefore = await serverCpuMicros(load.target);
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${load.target.port}`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: durationMs / 1000,
    requests: [
      {
        method: load.method,
        headers: { 'content-type': 'application/json' },
        ...(load.body ? { body: load.body } : {}),
        setupRequest: (request) => ({ ...request, path: load.path(next++) }),
      },
    ],
  });
  const elapsedMs = performance.now() - started;
  const cpuAfter = await serverCpuMicros(load.target);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
    serverCpu: (cpuAfter - cpuBefore) / 1000 / elapsedMs,
  };
}
