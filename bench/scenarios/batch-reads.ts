import { isCluster, type RedisClient } from '../../src/redis/redis-connection-pool';
import type { Library } from '../support/library';
import { comparePair, throughput } from '../support/measure';
import { formatNumber, pairRow, type Section, type TargetCheck } from '../support/report';

const KEYS_PER_CALL = 1_000;
const IN_FLIGHT = 8;
const NS = 'bench';
const SVC = 'game';
const TARGET_KEYS_PER_SECOND = 340_000;

/**
 * getLinkedPods and getWorkloadStates with 1,000 keys per call, in keys/s. The baseline reads the
 * same keys raw: one MGET on standalone; on a Cluster, where one MGET cannot span slots, 1,000
 * concurrent GETs.
 */
export async function batchReads(
  library: Library,
  raw: RedisClient,
  topology: string,
  rounds: number,
  durationMs: number,
): Promise<{ section: Section; targets: TargetCheck[] }> {
  const { executor } = library;
  const uids = Array.from({ length: KEYS_PER_CALL }, (_, i) => `u${i}`);
  const services = Array.from({ length: KEYS_PER_CALL }, (_, i) => `svc${i}`);
  for (const [i, uid] of uids.entries()) await executor.setLinkedPod(NS, uid, SVC, i % 8, -1);
  for (const service of services) await executor.setWorkloadState(NS, service, 'Running');
  const linkKeys = uids.map((uid) => `sf:{${NS}:lk:${uid}}${SVC}`);
  const workloadKeys = services.map((service) => `sf:{${NS}:workload:${service}}`);
  const readRaw = (keys: string[]) =>
    isCluster(raw) ? Promise.all(keys.map((key) => raw.get(key))) : raw.mget(keys);

  const cases: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
    ['getLinkedPods', () => executor.getLinkedPods(NS, uids, SVC), () => readRaw(linkKeys)],
    [
      'getWorkloadStates',
      () => executor.getWorkloadStates(NS, services),
      () => readRaw(workloadKeys),
    ],
  ];
  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  for (const [name, library, baseline] of cases) {
    const result = await comparePair(
      rounds,
      async () => KEYS_PER_CALL * (await throughput(library, IN_FLIGHT, durationMs)),
      async () => KEYS_PER_CALL * (await throughput(baseline, IN_FLIGHT, durationMs)),
    );
    rows.push(pairRow(name, result));
    if (topology === 'standalone') {
      targets.push({
        target: `${name}, 1,000 keys: >= ${formatNumber(TARGET_KEYS_PER_SECOND)} keys/s`,
        measured: `${formatNumber(result.library)} keys/s`,
        met: result.library >= TARGET_KEYS_PER_SECOND,
      });
    }
    console.log(`  ${name}: ${rows[rows.length - 1].slice(1).join(' | ')}`);
  }
  return {
    section: {
      title: `Batch reads, 1,000 keys per call (${topology})`,
      notes: [
        `${IN_FLIGHT} calls in flight, throughput in keys/s. Baseline: ${
          topology === 'cluster'
            ? '1,000 concurrent GETs (one MGET cannot span Cluster slots; the library sends one MGET per slot)'
            : 'one raw MGET of the same 1,000 keys'
        }.`,
      ],
      header: ['operation', 'library (keys/s)', 'raw ioredis (keys/s)', 'ratio'],
      rows,
    },
    targets,
  };
}
