import type { RedisClient } from '../../src/redis/redis-connection-pool';
import type { Library } from '../support/library';
import { comparePair, throughput } from '../support/measure';
import { pairRow, type Section, type TargetCheck } from '../support/report';

export const IN_FLIGHT = 256;
const USERS = 10_000;
const NS = 'bench';
const SVC = 'game';
const TARGET_RATIO = 0.95;

/** The keys a link script takes, built by hand as a user of raw ioredis would. */
const linkKeys = (i: number) => [
  `sf:{${NS}:lk:u${i % USERS}}${SVC}`,
  `sf:{${NS}:lk:u${i % USERS}}`,
  `sf:{${NS}:lk:u${i % USERS}}${SVC}:epoch`,
];

/**
 * Each link operation against the raw ioredis call it wraps, the same script by EVALSHA or the
 * same command, at IN_FLIGHT calls in flight.
 */
export async function linkOperations(
  library: Library,
  raw: RedisClient,
  topology: string,
  rounds: number,
  durationMs: number,
): Promise<{ section: Section; targets: TargetCheck[] }> {
  const { executor, registry } = library;
  const sha = (script: string) => registry.sha1(script);
  const uid = (i: number) => `u${i % USERS}`;
  // The pods stay alive (fresh reports) for the whole scenario, so computeLinkedPod's healing check
  // answers "alive" from the pod table, as in a healthy fleet.
  const heartbeat = async () => {
    for (let pod = 0; pod < 8; pod++) await executor.reportPodStatus(NS, SVC, pod, { load: pod });
  };
  await heartbeat();
  const beating = setInterval(() => void heartbeat(), 5_000);

  const cases: [string, (i: number) => Promise<unknown>, (i: number) => Promise<unknown>][] = [
    [
      'setLinkedPod',
      (i) => executor.setLinkedPod(NS, uid(i), SVC, i % 8, -1),
      (i) => raw.evalsha(sha('statefulSetLink'), 3, ...linkKeys(i), SVC, i % 8, -1),
    ],
    [
      'setLinkedPodIfAbsent',
      (i) => executor.setLinkedPodIfAbsent(NS, uid(i), SVC, i % 8, -1),
      (i) => raw.evalsha(sha('statefulSetLinkIfAbsent'), 3, ...linkKeys(i), SVC, i % 8, -1),
    ],
    [
      'trySetLinkedPod',
      (i) => executor.trySetLinkedPod(NS, uid(i), SVC, i % 8, -1),
      (i) => raw.evalsha(sha('statefulTrySetLink'), 3, ...linkKeys(i), SVC, i % 8, -1),
    ],
    ['getLinkedPod', (i) => executor.getLinkedPod(NS, uid(i), SVC), (i) => raw.get(linkKeys(i)[0])],
    [
      'computeLinkedPod (link exists, healing on)',
      (i) => executor.computeLinkedPod(NS, uid(i), SVC, -1),
      (i) => raw.evalsha(sha('statefulComputeLinkIfAbsent'), 3, ...linkKeys(i), SVC, -1),
    ],
  ];
  // Issue targets: 0.95 for the plain link operations; 0.9 for compute with its healing check.
  const targetOf = (name: string) => (name.startsWith('computeLinkedPod') ? 0.9 : TARGET_RATIO);

  const rows: string[][] = [];
  const targets: TargetCheck[] = [];
  for (const [name, library, baseline] of cases) {
    const result = await comparePair(
      rounds,
      () => throughput(library, IN_FLIGHT, durationMs),
      () => throughput(baseline, IN_FLIGHT, durationMs),
    );
    const met = result.ratio >= targetOf(name);
    rows.push(pairRow(name, result));
    if (topology === 'standalone') {
      targets.push({
        target: `${name}: library >= ${targetOf(name)} x raw ioredis`,
        measured: `${result.ratio.toFixed(3)} x`,
        met,
      });
    }
    console.log(`  ${name}: ${rows[rows.length - 1].slice(1).join(' | ')}`);
  }
  clearInterval(beating);
  return {
    section: {
      title: `Link operations (${topology})`,
      notes: [
        `${IN_FLIGHT} calls in flight; the baseline is the raw ioredis call the library wraps (the same`,
        'script by EVALSHA, or the same GET) on one client built from the same options. Throughput in',
        'calls/s, medians of the rounds; the ratio is the median of per-round library/baseline ratios.',
        'computeLinkedPod with healing on (the default) also asks the pod table whether the linked pod is',
        'gone; its baseline is the compute script alone. Pods report every 5 s, as a healthy fleet does.',
      ],
      header: ['operation', 'library (calls/s)', 'raw ioredis (calls/s)', 'ratio'],
      rows,
    },
    targets,
  };
}
