import autocannon from 'autocannon';
import { startPodProcess, type PodProcess } from '../../test/support/gateways/pod-processes';
import { startProxy, type RunningProxy } from '../../test/support/gateways/proxies';
import { closedLoopLatency, type LatencyRun } from '../support/closed-loop-latency';
import { startLibrary } from '../support/library';
import { clientCpus, lastCpu, pin } from '../support/machine';
import { compare, median, ratioOf } from '../support/measure';
import { formatNumber, type Section, type TargetCheck } from '../support/report';
import { serverCpuMicros, startTarget, stopTarget, type Target } from '../support/target-process';

const TOKEN = 'bench-gateway-token-0123456789';
const NAMESPACE = 'bench';
const SERVICE = 'game';
const USERS = 10_000;
const PODS = 3;
const CONNECTIONS = 64;
const LATENCY_CONNECTIONS = 8;
const TARGET_CPU_RATIO = 1.25;

/** The same nginx, forwarding every request straight to one pod: the baseline of the routed path. */
const DIRECT_NGINX = (podPort: number) => `
server {
    listen \${GATEWAY_PORT};
    location / {
        proxy_set_header x-stateful-upstream "";
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://127.0.0.1:${podPort};
    }
}
`;

interface Driven {
  requestsPerSecond: number;
  /** The service's CPU time per answer (µs), when the service took part. */
  serviceCpuPerRequestUs: number;
  failures: number;
}

/**
 * docs/gateways.md's routed path: requests through nginx with the route in front (deploy/gateways, the link
 * cache on) against the same nginx forwarding straight to one pod, in turns in the same rounds;
 * then the service's CPU per route answer against a bare Fastify route's CPU per answer, each
 * driven directly. The pods are deploy/gateways/sample-game-server.mjs; every user is linked
 * before, so the route answers from the link cache.
 */
export async function gatewayRouting(
  redisUrl: string,
  rounds: number,
  durationMs: number,
): Promise<{ sections: Section[]; targets: TargetCheck[] }> {
  const service = await startTarget('service-fastify', {
    REDIS_URL: redisUrl,
    API_TOKEN: TOKEN,
    LINK_CACHE_MAX_ENTRIES: String(2 * USERS),
    LOG_LEVEL: 'warn',
  });
  const bare = await startTarget('bare-fastify', {});
  const pods: PodProcess[] = [];
  const proxies: RunningProxy[] = [];
  try {
    const options = {
      storeUrl: `http://127.0.0.1:${service.port}`,
      token: TOKEN,
      namespace: NAMESPACE,
      service: SERVICE,
      beatMs: 1_000,
    };
    for (let id = 0; id < PODS; id++) pods.push(await startPodProcess(id, options));
    const library = await startLibrary({ url: redisUrl });
    for (let i = 0; i < USERS; i++) {
      await library.executor.setLinkedPod(NAMESPACE, `u${i}`, SERVICE, i % PODS, -1);
    }
    await library.close();
    const env = {
      STORE_ADDRESS: `127.0.0.1:${service.port}`,
      ROUTE_TOKEN: TOKEN,
      STATEFUL_NAMESPACE: NAMESPACE,
      STATEFUL_SERVICE: SERVICE,
    };
    const routed = await startProxy('nginx', env);
    proxies.push(routed);
    const direct = await startProxy('nginx', env, DIRECT_NGINX(pods[0].port));
    proxies.push(direct);
    pin(process.pid, String(lastCpu()));

    const uid = (i: number) => `u${i % USERS}`;
    const loads = [
      { label: 'nginx straight to one pod', port: direct.port, path: () => '/play', user: true },
      {
        label: 'nginx with the route in front',
        port: routed.port,
        path: () => '/play',
        user: true,
      },
      {
        label: 'the route, asked directly',
        port: service.port,
        path: () => `/v1/namespaces/${NAMESPACE}/services/${SERVICE}/route`,
        user: true,
        token: true,
      },
      {
        label: 'bare Fastify GET constant JSON (the same request headers)',
        port: bare.port,
        path: () => '/constant',
        user: true,
        token: true,
      },
    ];
    const runs = new Map(loads.map((load) => [load, [] as Driven[]]));
    const results = await compare(
      rounds,
      loads.map((load) => async () => {
        const cpuOf = load.port === bare.port ? bare : service;
        const run = await drive(load, uid, cpuOf, durationMs);
        if (run.failures > 0) throw new Error(`${load.label}: ${run.failures} failed requests`);
        runs.get(load)!.push(run);
        return run.requestsPerSecond;
      }),
    );
    const cpuPerAnswer = (i: number) =>
      median(runs.get(loads[i])!.map((run) => run.serviceCpuPerRequestUs));
    const latency: LatencyRun[] = [];
    for (const load of loads.slice(0, 2)) {
      const run = await closedLoopLatency({
        port: load.port,
        method: 'GET',
        path: load.path,
        headers: (i) => ({ 'x-stateful-uid': uid(i) }),
        connections: LATENCY_CONNECTIONS,
        durationMs: Math.max(durationMs, 3_000),
      });
      if (run.failures > 0) throw new Error(`${load.label}: ${run.failures} failed requests`);
      latency.push(run);
    }
    const rows = loads.map((load, i) => [
      load.label,
      formatNumber(results[i].median),
      i === 1 ? ratioOf(results[1], results[0]).toFixed(3) : '',
      i < 2 ? latency[i].p50.toFixed(2) : '',
      i < 2 ? latency[i].p99.toFixed(2) : '',
      i === 0 ? '' : formatNumber(cpuPerAnswer(i), 1),
    ]);
    rows.forEach((row) => console.log(`  ${row.join(' | ')}`));
    const cpuRatio = cpuPerAnswer(2) / cpuPerAnswer(3);
    return {
      sections: [
        {
          title: 'Routing with a stock gateway (nginx, standalone Redis)',
          notes: [
            `autocannon, ${CONNECTIONS} connections, ${durationMs} ms per round, ${rounds} rounds in turns; ${USERS.toLocaleString('en-US')} users`,
            `linked before over ${PODS} pods (sample-game-server.mjs), each request a user's in turn (x-stateful-uid).`,
            'The routed nginx is deploy/gateways/nginx/default.conf.template with the link cache on',
            '(LINK_CACHE_MAX_ENTRIES); the baseline is the same nginx with a server block that proxies every request',
            'to pod 0. Neither keeps connections to the pods alive (proxy_pass to an address, no upstream block).',
            `Latency: closed loop, ${LATENCY_CONNECTIONS} keep-alive connections, sub-ms resolution. CPU per answer: the`,
            "answering process's CPU time (user + system) over the requests it answered; for the rows through",
            "nginx, the service's CPU per routed request. Everything shares the machine's cores: the pods, nginx and",
            'the client compete with the service, so requests/s through nginx are the whole path on this machine.',
          ],
          header: [
            'path',
            'requests/s',
            'ratio to nginx straight',
            'p50 (ms)',
            'p99 (ms)',
            'CPU per answer (µs)',
          ],
          rows,
        },
      ],
      targets: [
        {
          target: `route CPU per answer <= ${TARGET_CPU_RATIO} x a bare Fastify route's`,
          measured: `${cpuRatio.toFixed(3)} x (${formatNumber(cpuPerAnswer(2), 1)} µs against ${formatNumber(cpuPerAnswer(3), 1)} µs)`,
          met: cpuRatio <= TARGET_CPU_RATIO,
        },
      ],
    };
  } finally {
    pin(process.pid, clientCpus());
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    pods.forEach((pod) => pod.kill());
    await stopTarget(service);
    await stopTarget(bare);
  }
}

async function drive(
  load: { port: number; path: () => string; user?: boolean; token?: boolean },
  uid: (i: number) => string,
  cpuOf: Target,
  durationMs: number,
): Promise<Driven> {
  let next = 0;
  const cpuBefore = await serverCpuMicros(cpuOf);
  const result = await autocannon({
    url: `http://127.0.0.1:${load.port}`,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: durationMs / 1000,
    requests: [
      {
        method: 'GET',
        path: load.path(),
        setupRequest: (request) => ({
          ...request,
          headers: {
            ...request.headers,
            ...(load.user && { 'x-stateful-uid': uid(next++) }),
            ...(load.token && { authorization: `Bearer ${TOKEN}` }),
          },
        }),
      },
    ],
  });
  const cpuAfter = await serverCpuMicros(cpuOf);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    serviceCpuPerRequestUs: (cpuAfter - cpuBefore) / result.requests.total,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
