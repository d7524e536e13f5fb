import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from '../../src/redis/redis-connection-pool';
import type { Library } from '../support/library';
import { median } from '../support/measure';
import { formatNumber, type Section } from '../support/report';

const NS = 'bench-scan';
const SVC = 'game';
const PODS = 4;
const COUNT = 1_000;

/**
 * Reverse lookup and release on 1,000,000 links (docs/operations.md): `scanLinkedUsers` over the whole
 * keyspace and `releasePodUsers` of one pod's users, against the raw ioredis work they are made of
 * (a SCAN pass over every master; the compare-and-remove script per known uid), in the same run.
 */
export async function scanAndRelease(
  library: Library,
  raw: RedisClient,
  topology: string,
  links: number,
): Promise<Section> {
  const { executor, registry } = library;
  await populate(raw, links);
  const passes = 3;
  const scanLibrary: number[] = [];
  const scanRaw: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    let started = performance.now();
    let found = 0;
    for await (const uid of executor.scanLinkedUsers(NS, SVC, 0, { count: COUNT }))
      found += uid ? 1 : 0;
    scanLibrary.push(links / ((performance.now() - started) / 1000));
    if (found !== links / PODS)
      throw new Error(`scan found ${found} users of pod 0, expected ${links / PODS}`);
    started = performance.now();
    let rawFound = 0;
    await rawScan(raw, 0, (matched) => {
      rawFound += matched.length;
      return Promise.resolve();
    });
    scanRaw.push(links / ((performance.now() - started) / 1000));
    if (rawFound !== found) throw new Error(`raw scan found ${rawFound}, the library ${found}`);
  }
  const releaseLibrary: number[] = [];
  const releaseRaw: number[] = [];
  const sha = registry.sha1('statefulRemoveLinkWithId');
  for (let pod = 1; pod < PODS; pod++) {
    // The library finds the pod's users by scanning and releases them all; the raw baseline removes
    // the same users, known in advance, COUNT scripts in flight.
    let started = performance.now();
    const released = await executor.releasePodUsers(NS, SVC, pod, { count: COUNT });
    releaseLibrary.push(released / ((performance.now() - started) / 1000));
    if (released !== links / PODS)
      throw new Error(`released ${released}, expected ${links / PODS}`);
    await populatePod(raw, links, pod);
    started = performance.now();
    let removed = 0;
    await rawScan(raw, pod, async (matched) => {
      const replies = await Promise.all(
        matched.map(
          (key) =>
            raw.evalsha(
              sha,
              3,
              key,
              key.slice(0, key.lastIndexOf('}') + 1),
              `${key}:epoch`,
              SVC,
              -1,
              pod,
            ) as Promise<number>,
        ),
      );
      removed += replies.filter((reply) => reply === 1).length;
    });
    releaseRaw.push(removed / ((performance.now() - started) / 1000));
  }
  await clear(raw);
  const row = (name: string, library: number[], baseline: number[], unit: string): string[] => [
    name,
    `${formatNumber(median(library))} ${unit}`,
    `${formatNumber(median(baseline))} ${unit}`,
    (median(library) / median(baseline)).toFixed(3),
  ];
  return {
    title: `Reverse lookup and release on ${formatNumber(links)} links (${topology})`,
    notes: [
      `${formatNumber(links)} links of one service spread over ${PODS} pods. scanLinkedUsers: a full pass (COUNT`,
      `${COUNT}) that reads each link's pod and keeps pod 0's users, per second of the keys it went through;`,
      "releasePodUsers: one pod's users found by scanning and removed by compare-and-remove, a page at a",
      'time. Baselines: the same work by hand with raw ioredis (SCAN every master with the same MATCH and',
      'COUNT, one MGET per page on one server or a pipeline of GETs to the master on a Cluster, and the',
      'same script by EVALSHA for each match, page after page).',
      `Medians of ${passes} passes (scan) and ${PODS - 1} pods (release), in keys of the keyspace`,
      'gone through per second (scan) and users released per second (release).',
    ],
    header: ['operation', 'library', 'raw ioredis', 'ratio'],
    rows: [
      row('scanLinkedUsers', scanLibrary, scanRaw, 'keys/s'),
      row('releasePodUsers', releaseLibrary, releaseRaw, 'users/s'),
    ],
  };
}

const linkKey = (i: number) => `sf:{${NS}:lk:u${i}}${SVC}`;

async function populate(raw: RedisClient, links: number): Promise<void> {
  for (let pod = 0; pod < PODS; pod++) await populatePod(raw, links, pod);
}

/** Links u<i> (i % PODS === pod) to the pod: a Lua loop on one server, parallel SETs on a Cluster. */
async function populatePod(raw: RedisClient, links: number, pod: number): Promise<void> {
  if (!isCluster(raw)) {
    const chunk = 100_000;
    for (let from = pod; from < links; from += chunk * PODS) {
      await raw.eval(
        `for i = tonumber(ARGV[1]), tonumber(ARGV[2]), ${PODS} do redis.call('SET', ARGV[3] .. i .. ARGV[4], ARGV[5]) end`,
        0,
        from,
        Math.min(links - 1, from + (chunk - 1) * PODS),
        `sf:{${NS}:lk:u`,
        `}${SVC}`,
        pod,
      );
    }
    return;
  }
  const batch = 10_000;
  for (let from = pod; from < links; from += batch * PODS) {
    const writes: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(links, from + batch * PODS); i += PODS)
      writes.push(raw.set(linkKey(i), pod));
    await Promise.all(writes);
  }
}

function masters(raw: RedisClient): Redis[] {
  return isCluster(raw) ? raw.nodes('master') : [raw];
}

/**
 * The library's scan done by hand: SCAN every master with the same MATCH and COUNT, read the
 * returned keys with one pipeline of GETs per page, and hand the keys linked to `pod` to `onPage`.
 */
async function rawScan(
  raw: RedisClient,
  pod: number,
  onPage: (matched: string[]) => Promise<void>,
): Promise<void> {
  for (const node of masters(raw)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(
        cursor,
        'MATCH',
        `sf:{${NS}:lk:*}${SVC}`,
        'COUNT',
        COUNT,
      );
      let values: unknown[] = [];
      if (keys.length > 0 && !isCluster(raw)) {
        values = await node.mget(keys);
      } else if (keys.length > 0) {
        const pipeline = node.pipeline();
        for (const key of keys) pipeline.get(key);
        values = ((await pipeline.exec()) ?? []).map(([, value]) => value);
      }
      await onPage(keys.filter((_, index) => values[index] === String(pod)));
      cursor = next;
    } while (cursor !== '0');
  }
}

async function clear(raw: RedisClient): Promise<void> {
  for (const node of masters(raw)) await node.flushall();
}
