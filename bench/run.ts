import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import { cpus } from 'os';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { LuaScriptRegistry, StatefulExecutorService, StatefulModule } from '../src';
import { RedisServer } from '../test/support/redis-server';
import { comparePair, throughput } from './measure';

/**
 * `npm run bench`: library calls against the raw ioredis call each one wraps (the same script or
 * command on one connection), measured in the same run on a private redis-server. Prints a table
 * and writes BENCHMARKS.md. Not part of `npm test`.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2_000);
const IN_FLIGHT = 256;
const NS = 'bench';
const SVC = 'game';

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const pinned = pinProcesses(server.pid);
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ redis: { url: server.url } })],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  const executor = app.get(StatefulExecutorService);
  const registry = app.get(LuaScriptRegistry);
  // The baseline talks through a connection configured exactly as the library's (same timeouts and
  // retries), so that the ratio isolates what the library adds: validation, keys, script dispatch, parsing.
  const raw = new Redis(server.url, {
    commandTimeout: 5_000,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
  });
  const sha = (name: string) => registry.sha1(name);
  const link = (i: number) => [
    `sf:{${NS}:lk:u${i % 10_000}}${SVC}`,
    `sf:{${NS}:lk:u${i % 10_000}}`,
  ];
  for (let pod = 0; pod < 8; pod++) await executor.reportPodLoad(NS, SVC, pod, pod);

  const rows: string[][] = [];
  const pair = async (
    name: string,
    library: (i: number) => Promise<unknown>,
    baseline: (i: number) => Promise<unknown>,
  ) => {
    const result = await comparePair(
      ROUNDS,
      () => throughput(library, IN_FLIGHT, DURATION_MS),
      () => throughput(baseline, IN_FLIGHT, DURATION_MS),
    );
    rows.push([
      name,
      fmt(result.library),
      fmt(result.baseline),
      result.ratio.toFixed(3),
      result.ratio >= 0.95 ? 'yes' : 'no',
    ]);
    console.log(rows[rows.length - 1].join('  |  '));
  };

  await pair(
    'setLinkedPod',
    (i) => executor.setLinkedPod(NS, `u${i % 10_000}`, SVC, i % 8, -1),
    (i) => raw.evalsha(sha('statefulSetLink'), 2, ...link(i), SVC, i % 8, -1),
  );
  await pair(
    'setLinkedPodIfAbsent',
    (i) => executor.setLinkedPodIfAbsent(NS, `u${i % 10_000}`, SVC, i % 8, -1),
    (i) => raw.evalsha(sha('statefulSetLinkIfAbsent'), 2, ...link(i), SVC, i % 8, -1),
  );
  await pair(
    'trySetLinkedPod',
    (i) => executor.trySetLinkedPod(NS, `u${i % 10_000}`, SVC, i % 8, -1),
    (i) => raw.evalsha(sha('statefulTrySetLink'), 2, ...link(i), SVC, i % 8, -1),
  );
  await pair(
    'getLinkedPod',
    (i) => executor.getLinkedPod(NS, `u${i % 10_000}`, SVC),
    (i) => raw.get(link(i)[0]),
  );
  await pair(
    'computeLinkedPod (existing link)',
    (i) => executor.computeLinkedPod(NS, `u${i % 10_000}`, SVC, -1),
    (i) => raw.evalsha(sha('statefulComputeLinkIfAbsent'), 2, ...link(i), SVC, -1),
  );

  const uids = Array.from({ length: 1_000 }, (_, i) => `u${i}`);
  const keys = uids.map((uid) => `sf:{${NS}:lk:${uid}}${SVC}`);
  const batch = await comparePair(
    ROUNDS,
    async () =>
      1_000 * (await throughput(() => executor.getLinkedPods(NS, uids, SVC), 8, DURATION_MS)),
    async () => 1_000 * (await throughput(() => raw.mget(keys), 8, DURATION_MS)),
  );
  rows.push([
    'getLinkedPods, 1000 keys (keys/s)',
    fmt(batch.library),
    fmt(batch.baseline),
    batch.ratio.toFixed(3),
    batch.library >= 340_000 ? 'yes' : 'no',
  ]);
  console.log(rows[rows.length - 1].join('  |  '));

  raw.disconnect();
  await app.close();
  await server.destroy();
  writeReport(rows, pinned);
}

/**
 * Redis on the last CPU, the benchmark on the others, so that the two do not take turns on one core
 * (on 2 cores this halves the round-to-round spread). Skipped where taskset is missing.
 */
function pinProcesses(redisPid: number | undefined): string {
  const last = cpus().length - 1;
  if (last < 1 || redisPid === undefined) return 'not pinned (one CPU)';
  try {
    execFileSync('taskset', ['-p', '-c', String(last), String(redisPid)], { stdio: 'ignore' });
    execFileSync('taskset', ['-p', '-c', `0-${last - 1}`, String(process.pid)], {
      stdio: 'ignore',
    });
    return `redis-server pinned to CPU ${last}, the benchmark to CPU 0${last > 1 ? `-${last - 1}` : ''}`;
  } catch {
    return 'not pinned (taskset unavailable)';
  }
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function writeReport(rows: string[][], pinned: string): void {
  const redisVersion = execFileSync('redis-server', ['--version']).toString().trim();
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ` +
      `Node ${process.version}, ${redisVersion.split(' ').slice(0, 3).join(' ')}. Private standalone redis-server on loopback.`,
    '',
    `Each figure is the median of ${ROUNDS} rounds of ${DURATION_MS} ms after a warm-up round; library and baseline`,
    'alternate within each round and the ratio is the median of the per-round ratios. Link operations run with',
    `${IN_FLIGHT} calls in flight; the baseline is the raw ioredis call the library wraps (the same script by EVALSHA,`,
    "or the same command) on one connection configured like the library's (commandTimeout 5000, 2 retries).",
    `Batch reads run 8 calls in flight. CPUs: ${pinned}.`,
    '',
    '| scenario | library (ops/s) | raw ioredis (ops/s) | ratio | target met |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    'Targets: ratio >= 0.95 for link operations; >= 340,000 keys/s for getLinkedPods. Not yet measured here:',
    'getWorkloadStates, Cluster, HTTP (autocannon, Express vs Fastify), poolSize 1/2/4, start-up time, memory per link.',
    '',
  ];
  writeFileSync('BENCHMARKS.md', lines.join('\n'));
  console.log('\nwrote BENCHMARKS.md');
}

void main();
