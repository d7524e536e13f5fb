import { setImmediate as nextTurn } from 'timers/promises';
import { runInNewContext } from 'vm';
import { setFlagsFromString } from 'v8';
import type { RedisModuleOptions } from '../../src/redis/redis-module-options';
import { startLibrary, startRawClient, type Library } from '../support/library';
import { compare, median, ratioOf, throughput } from '../support/measure';
import { formatNumber, type Section, type TargetCheck } from '../support/report';
import { IN_FLIGHT } from './link-operations';

const NS = 'bench-cache';
const SVC = 'game';
/** Users with a link, all cached once warm: the working set fits the cache. */
const USERS = 10_000;
const LATENCY_SAMPLES = 2_000;
const MEMORY_ENTRIES = 100_000;
const SHARED_CALLS = 1_000;

/** Counts the commands the library's connections send (what one call costs Redis). */
function countCommands(library: Library): { readonly count: number } {
  const counter = { count: 0 };
  for (const client of library.pool.clients) {
    const target = client as unknown as { sendCommand(command: unknown): unknown };
    const send = target.sendCommand.bind(target);
    target.sendCommand = (command: unknown) => {
      counter.count++;
      return send(command);
    };
  }
  return counter;
}

/** Every `1/missEvery`th call asks for a user without a link: a miss, which goes to Redis. */
function mix(library: Library, missEvery: number) {
  return (i: number) =>
    library.executor.getLinkedPod(NS, i % missEvery === 0 ? `absent${i}` : `u${i % USERS}`, SVC);
}

/**
 * The link cache (docs/link-cache.md): cached getLinkedPod at 99% and 90% hits against the same calls without
 * the cache, in the same rounds; the time from another client's write until the entry is gone;
 * Redis commands per call; shared calls; memory per entry.
 */
export async function linkCache(
  redis: RedisModuleOptions,
  topology: string,
  rounds: number,
  durationMs: number,
): Promise<{ section: Section; targets: TargetCheck[] }> {
  const uncached = await startLibrary(redis);
  const cached = await startLibrary(redis, { cache: { maxEntries: 2 * USERS } });
  const writer = await startRawClient(redis);
  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  try {
    await Promise.all(
      Array.from({ length: USERS }, (_, i) =>
        uncached.executor.setLinkedPod(NS, `u${i}`, SVC, i % 8, -1),
      ),
    );
    while (!cached.linkCache.stats().tracking) await nextTurn();
    const warm = async () => {
      for (let i = 0; i < USERS; i++) await cached.executor.getLinkedPod(NS, `u${i}`, SVC);
    };
    await warm();

    // Throughput: the cache only pays off if a hit is far cheaper than the round trip it saves.
    const [plain, hits99, hits90] = await compare(rounds, [
      () => throughput(mix(uncached, 100), IN_FLIGHT, durationMs),
      () => throughput(mix(cached, 100), IN_FLIGHT, durationMs),
      () => throughput(mix(cached, 10), IN_FLIGHT, durationMs),
    ]);
    const ratio99 = ratioOf(hits99, plain);
    rows.push(
      ['getLinkedPod, cache off (the baseline)', `${formatNumber(plain.median)} calls/s`, '1.00 x'],
      [
        'getLinkedPod, cache on, 99% hits',
        `${formatNumber(hits99.median)} calls/s`,
        `${ratio99.toFixed(2)} x`,
      ],
      [
        'getLinkedPod, cache on, 90% hits',
        `${formatNumber(hits90.median)} calls/s`,
        `${ratioOf(hits90, plain).toFixed(2)} x`,
      ],
    );

    // Commands per call, counted on the library's own connections.
    await warm();
    const counted = countCommands(cached);
    const calls = 100_000;
    const before = counted.count;
    for (let i = 0; i < calls; i++) await mix(cached, 100)(i);
    rows.push([
      'Redis commands per getLinkedPod at 99% hits (cache off: 1)',
      ((counted.count - before) / calls).toFixed(4),
      '',
    ]);

    // Shared calls: N identical reads at once, cache off.
    const sharedCounter = countCommands(uncached);
    const sharedBefore = sharedCounter.count;
    await Promise.all(
      Array.from({ length: SHARED_CALLS }, () => uncached.executor.getLinkedPod(NS, 'u1', SVC)),
    );
    rows.push([
      `Redis commands for ${SHARED_CALLS} concurrent identical getLinkedPod (cache off)`,
      String(sharedCounter.count - sharedBefore),
      '',
    ]);

    // Invalidation: another client's write until this process has dropped the entry.
    const latencies: number[] = [];
    const writeLatencies: number[] = [];
    const key = `sf:{${NS}:lk:u0}${SVC}`;
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      while (cached.linkCache.linkOf(NS, key, false) === undefined) {
        await cached.executor.getLinkedPod(NS, 'u0', SVC);
      }
      const start = performance.now();
      const written = writer.client.set(key, String(i % 8)).then(() => {
        writeLatencies.push(performance.now() - start);
      });
      while (cached.linkCache.linkOf(NS, key, false) !== undefined) await nextTurn();
      latencies.push(performance.now() - start);
      await written;
    }
    const p = (values: number[], q: number) =>
      [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))];
    const p99 = p(latencies, 0.99);
    rows.push([
      "another client's SET until the entry is gone: p50 / p99",
      `${median(latencies).toFixed(3)} / ${p99.toFixed(3)} ms`,
      `that SET's own reply: ${median(writeLatencies).toFixed(3)} / ${p(writeLatencies, 0.99).toFixed(3)} ms`,
    ]);

    if (topology === 'standalone') {
      targets.push(
        {
          target: 'cached getLinkedPod at 99% hits >= 10 x uncached',
          measured: `${ratio99.toFixed(2)} x`,
          met: ratio99 >= 10,
        },
        {
          target: "invalidation: p99 < 5 ms from another client's write until the entry is gone",
          measured: `${p99.toFixed(3)} ms`,
          met: p99 < 5,
        },
      );
    }
  } finally {
    await writer.close();
    await cached.close();
    await uncached.close();
  }
  if (topology === 'standalone') rows.push(await memoryPerEntry(redis));
  return {
    section: {
      title: `Link cache (${topology})`,
      notes: [
        `${IN_FLIGHT} calls in flight over ${formatNumber(USERS)} linked users, all cached once warm; a`,
        'miss asks for a user without a link (not cached), so the hit rate holds for the whole round.',
        'The baseline is the same mix through a library without the cache, in the same rounds.',
        'Invalidation: a raw client SETs a cached link; the time runs from sending that SET until the',
        "entry is gone from this process's cache (checked on every event-loop turn), over",
        `${formatNumber(LATENCY_SAMPLES)} writes. Commands are counted on the library's own connections.`,
      ],
      header: ['measure', 'value', 'against'],
      rows,
    },
    targets,
  };
}

/** Heap per cached link: 100,000 entries admitted, heap measured after a full GC before and after. */
async function memoryPerEntry(redis: RedisModuleOptions): Promise<string[]> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const library = await startLibrary(redis, { cache: { maxEntries: MEMORY_ENTRIES } });
  try {
    await Promise.all(
      Array.from({ length: MEMORY_ENTRIES }, (_, i) =>
        library.executor.setLinkedPod(NS, `m${i}`, SVC, i % 8, -1),
      ),
    );
    while (!library.linkCache.stats().tracking) await nextTurn();
    await new Promise((resolve) => setTimeout(resolve, 200)); // own writes' invalidations
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < MEMORY_ENTRIES; i += IN_FLIGHT) {
      await Promise.all(
        Array.from({ length: Math.min(IN_FLIGHT, MEMORY_ENTRIES - i) }, (_, k) =>
          library.executor.getLinkedPod(NS, `m${i + k}`, SVC),
        ),
      );
    }
    gc();
    const entries = library.linkCache.stats().entries;
    const perEntry = (process.memoryUsage().heapUsed - before) / entries;
    return [
      `heap per cached link (${formatNumber(entries)} entries, keys like sf:{${NS}:lk:m12345}${SVC})`,
      `${formatNumber(perEntry)} bytes`,
      '',
    ];
  } finally {
    await library.close();
  }
}
