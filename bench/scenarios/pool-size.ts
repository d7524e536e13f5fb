import type { RedisModuleOptions } from '../../src/redis/redis-module-options';
import { startLibrary } from '../support/library';
import { compare, throughput } from '../support/measure';
import { formatNumber, type Section } from '../support/report';
import { IN_FLIGHT } from './link-operations';

const SIZES = [1, 2, 4];

/** setLinkedPod and getLinkedPod through pools of 1, 2 and 4 connections, measured in turns. */
export async function poolSizes(
  redis: RedisModuleOptions,
  topology: string,
  rounds: number,
  durationMs: number,
): Promise<Section> {
  const libraries = await Promise.all(
    SIZES.map((poolSize) => startLibrary({ ...redis, poolSize })),
  );
  const rows: string[][] = [];
  try {
    const operations: [string, (size: number) => (i: number) => Promise<unknown>][] = [
      [
        'setLinkedPod',
        (s) => (i) =>
          libraries[s].executor.setLinkedPod('bench', `u${i % 10_000}`, 'game', i % 8, -1),
      ],
      [
        'getLinkedPod',
        (s) => (i) => libraries[s].executor.getLinkedPod('bench', `u${i % 10_000}`, 'game'),
      ],
    ];
    for (const [name, call] of operations) {
      const results = await compare(
        rounds,
        SIZES.map((_, s) => () => throughput(call(s), IN_FLIGHT, durationMs)),
      );
      results.forEach((result, s) =>
        rows.push([name, String(SIZES[s]), formatNumber(result.median), result.ratio.toFixed(3)]),
      );
      console.log(`  ${name}: ${results.map((r) => formatNumber(r.median)).join(' / ')}`);
    }
  } finally {
    await Promise.all(libraries.map((library) => library.close()));
  }
  return {
    title: `poolSize (${topology})`,
    notes: [
      `The same ${IN_FLIGHT} calls in flight through pools of ${SIZES.join(', ')} connections, round-robin.`,
      'Ratio: against poolSize 1 in the same round.',
    ],
    header: ['operation', 'poolSize', 'calls/s', 'ratio to 1'],
    rows,
  };
}
