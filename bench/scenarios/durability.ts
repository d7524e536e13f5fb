import type { RedisModuleOptions } from '../../src/redis/redis-module-options';
import { startLibrary, type Library } from '../support/library';
import { compare, median, throughput } from '../support/measure';
import { formatNumber, type Section } from '../support/report';
import { IN_FLIGHT } from './link-operations';

const USERS = 10_000;
const NS = 'bench';
const SVC = 'game';
/** Single calls timed back to back for the latency columns. */
const LATENCY_CALLS = 2_000;

/**
 * The cost of `durability: { replicas: 1 }` (docs/reliability.md): the same link calls through a library with
 * the option off and one with it on, against the same servers in the same rounds (a master with
 * one replica each). Throughput at IN_FLIGHT calls in flight, and the latency of one call alone.
 */
export async function durabilityCost(
  redis: RedisModuleOptions,
  topology: string,
  rounds: number,
  durationMs: number,
): Promise<Section> {
  const off = await startLibrary(redis);
  const on = await startLibrary(redis, { durability: { replicas: 1, timeoutMs: 200 } });
  // Live pods for computeLinkedPod's placement, reported every 5 s as a healthy fleet does.
  const heartbeat = async () => {
    for (let pod = 0; pod < 8; pod++)
      await off.executor.reportPodStatus(NS, SVC, pod, { load: pod });
  };
  await heartbeat();
  const beating = setInterval(() => void heartbeat(), 5_000);
  let fresh = 0;
  const operations: [string, (library: Library) => (i: number) => Promise<unknown>][] = [
    ['setLinkedPod', (l) => (i) => l.executor.setLinkedPod(NS, `u${i % USERS}`, SVC, i % 8, -1)],
    [
      'setLinkedPodIfAbsent (new user)',
      (l) => () => l.executor.setLinkedPodIfAbsent(NS, `n${fresh++}`, SVC, fresh % 8, -1),
    ],
    [
      'computeLinkedPod (new user: placement and claim)',
      (l) => () => l.executor.computeLinkedPod(NS, `c${fresh++}`, SVC, -1),
    ],
    [
      'removeLinkedPod (after the first round, of links already gone: nothing written)',
      (l) => (i) => l.executor.removeLinkedPod(NS, `u${i % USERS}`, SVC, -1),
    ],
    [
      'getLinkedPod (a read: no WAIT)',
      (l) => (i) => l.executor.getLinkedPod(NS, `u${i % USERS}`, SVC),
    ],
  ];
  const rows: string[][] = [];
  try {
    for (const [name, call] of operations) {
      const [offResult, onResult] = await compare(rounds, [
        () => throughput(call(off), IN_FLIGHT, durationMs),
        () => throughput(call(on), IN_FLIGHT, durationMs),
      ]);
      const offLatency = await latencyUs(call(off));
      const onLatency = await latencyUs(call(on));
      rows.push([
        name,
        formatNumber(offResult.median),
        formatNumber(onResult.median),
        onResult.ratio.toFixed(3),
        formatNumber(offLatency),
        formatNumber(onLatency),
      ]);
      console.log(`  ${name}: ${rows[rows.length - 1].slice(1).join(' | ')}`);
    }
  } finally {
    clearInterval(beating);
    await on.close();
    await off.close();
  }
  return {
    title: `Durability: replicated acknowledgements, off against on (${topology})`,
    notes: [
      `The same calls through two libraries on the same servers (each master with one replica): one`,
      `without \`durability\`, one with \`durability: { replicas: 1, timeoutMs: 200 }\`. Throughput`,
      `in calls/s at ${IN_FLIGHT} calls in flight (medians of the rounds; the ratio is on/off in the same`,
      `round), and the median latency of one call alone in µs (${LATENCY_CALLS} calls back to back).`,
    ],
    header: [
      'operation',
      'off (calls/s)',
      'on (calls/s)',
      'ratio on/off',
      'off, one call (µs)',
      'on, one call (µs)',
    ],
    rows,
  };
}

/** Median latency of one call at a time, in microseconds. */
async function latencyUs(call: (i: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_CALLS; i++) {
    const started = performance.now();
    await call(i);
    samples.push((performance.now() - started) * 1000);
  }
  return median(samples);
}
