import type { RedisModuleOptions } from '../../src/redis/redis-module-options';
import { startLibrary } from '../support/library';
import { compare, throughput } from '../support/measure';
import { formatNumber, type Section, type TargetCheck } from '../support/report';
import { IN_FLIGHT } from './link-operations';

const NS = 'bench-place';
const SVC = 'game';
const PODS = 8;

/**
 * New-user placement (computeLinkedPod without a link) with the pod table (podTableTtlMs 1000, the
 * default) against reading states and loads on every call (podTableTtlMs 0), in the same run.
 */
export async function newUserPlacement(
  redis: RedisModuleOptions,
  topology: string,
  rounds: number,
  durationMs: number,
): Promise<{ section: Section; targets: TargetCheck[] }> {
  const cached = await startLibrary(redis, { podTableTtlMs: 1_000 });
  const uncached = await startLibrary(redis, { podTableTtlMs: 0 });
  try {
    for (let pod = 0; pod < PODS; pod++) {
      await cached.executor.reportPodStatus(NS, SVC, pod, { load: pod % 3 });
    }
    let user = 0;
    const place = (library: typeof cached) => () =>
      throughput(
        () => library.executor.computeLinkedPod(NS, `new-${user++}`, SVC, -1, { loadTolerance: 1 }),
        IN_FLIGHT,
        durationMs,
      );
    const [withoutTable, withTable] = await compare(rounds, [place(uncached), place(cached)]);
    return {
      section: {
        title: `New-user placement (${topology})`,
        notes: [
          `computeLinkedPod for users without a link (${IN_FLIGHT} in flight, ${PODS} pods reporting,`,
          'loadTolerance 1): one placement is a read of the pods and a claim script. With the pod table',
          'the read is shared for a second by every call; without it (podTableTtlMs 0) each call reads.',
        ],
        header: ['pod table', 'placements/s', 'ratio'],
        rows: [
          ['podTableTtlMs 0 (read every call)', formatNumber(withoutTable.median), '1.000'],
          [
            'podTableTtlMs 1000 (default)',
            formatNumber(withTable.median),
            withTable.ratio.toFixed(3),
          ],
        ],
      },
      targets: [],
    };
  } finally {
    await cached.close();
    await uncached.close();
  }
}
