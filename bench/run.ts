import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { RedisModuleOptions } from '../src/redis/redis-module-options';
import { RedisCluster } from '../test/support/redis-cluster';
import { RedisServer } from '../test/support/redis-server';
import { batchReads } from './scenarios/batch-reads';
import { durabilityCost } from './scenarios/durability';
import { gatewayRouting } from './scenarios/gateway';
import { httpApi } from './scenarios/http';
import { linkCache } from './scenarios/link-cache';
import { linkOperations } from './scenarios/link-operations';
import { memoryPerLink } from './scenarios/memory';
import { newUserPlacement } from './scenarios/placement';
import { poolSizes } from './scenarios/pool-size';
import { scanAndRelease } from './scenarios/scan-release';
import { startToReady } from './scenarios/startup';
import { stalledBodies } from './scenarios/stalled-bodies';
import { attacks } from './scenarios/attacks';
import { startLibrary, startRawClient } from './support/library';
import { clientCpus, cpuCheckMs, describeMachine, lastCpu, pin } from './support/machine';
import {
  sectionToMarkdown,
  sectionToText,
  targetsSection,
  type Section,
  type TargetCheck,
} from './support/report';

/**
 * `npm run bench [-- --cluster] [-- --only=link,cache,placement,scan,batch,pool,durability,http,gateway,startup,memory,attacks]`: every scenario
 * against private redis-servers (a 3-master Cluster too with --cluster), each a median of
 * several rounds after a warm-up, compared with its baseline in the same run. Prints the tables;
 * a run of every scenario also writes BENCHMARKS.md. Not part of `npm test`.
 */
// Many short rounds rather than a few long ones: on a shared VM another tenant's burst then spoils
// a few rounds, which the median drops, instead of one side of a comparison.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 700);
const HTTP_ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const START_ROUNDS = 5;
const HTTP_DURATION_MS = Number(process.env.BENCH_HTTP_DURATION_MS ?? 3_000);
const SCENARIOS = [
  'link',
  'cache',
  'placement',
  'scan',
  'batch',
  'pool',
  'durability',
  'http',
  'gateway',
  'startup',
  'memory',
  'attacks',
] as const;
/** Links in the reverse-lookup scenario (BENCH_SCAN_LINKS; docs/operations.md's figure is on 1,000,000). */
const SCAN_LINKS = Number(process.env.BENCH_SCAN_LINKS ?? 1_000_000);
/** The CPU check before each scenario, by scenario: shows whether the machine stayed as fast. */
const cpuChecks: [string, number][] = [];

/** Announces a scenario and times the CPU check before it. */
function begin(name: string): void {
  const ms = cpuCheckMs();
  cpuChecks.push([name, ms]);
  console.log(`\n${name} (CPU check ${ms.toFixed(0)} ms)`);
}

async function main(): Promise<void> {
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  const chosen = new Set(only ? only.split(',') : SCENARIOS);
  const withCluster = process.argv.includes('--cluster');
  const sections: Section[] = [];
  const targets: TargetCheck[] = [];
  const collect = (result: { section: Section; targets: TargetCheck[] }) => {
    sections.push(result.section);
    targets.push(...result.targets);
    console.log(sectionToText(result.section));
  };
  pin(process.pid, clientCpus());

  const server = await RedisServer.start();
  pin(server.pid, String(lastCpu()));
  try {
    await libraryScenarios({ url: server.url }, 'standalone', chosen, collect, sections);
    if (chosen.has('http')) {
      begin('HTTP API');
      const http = await httpApi(server.url, HTTP_ROUNDS, HTTP_DURATION_MS);
      http.sections.forEach((section) => sections.push(section));
      targets.push(...http.targets);
    }
    if (chosen.has('gateway')) {
      begin('routing with a stock gateway');
      const gateway = await gatewayRouting(server.url, HTTP_ROUNDS, HTTP_DURATION_MS);
      gateway.sections.forEach((section) => sections.push(section));
      targets.push(...gateway.targets);
    }
    if (chosen.has('startup')) {
      begin('start to ready');
      collect(await startToReady(server.url, START_ROUNDS));
    }
    if (chosen.has('attacks')) {
      begin('adversarial requests');
      for (const section of [await attacks(server.url), await stalledBodies(server.url)]) {
        sections.push(section);
        console.log(sectionToText(section));
      }
    }
  } finally {
    await server.destroy();
  }
  if (chosen.has('memory')) {
    begin('memory per link');
    const section = await memoryPerLink();
    sections.push(section);
    console.log(sectionToText(section));
  }
  if (chosen.has('durability')) await durabilityScenarios(withCluster, sections);
  if (withCluster) {
    const cluster = await RedisCluster.start(3, 0);
    cluster.nodes.forEach((node) => pin(node.pid, String(lastCpu())));
    try {
      await libraryScenarios(
        { cluster: { nodes: cluster.seeds } },
        'cluster',
        chosen,
        collect,
        sections,
      );
    } finally {
      await cluster.destroy();
    }
  }

  sections.unshift(targetsSection(targets));
  console.log(sectionToText(sections[0]));
  if (!only) writeReport(sections, withCluster);
}

/** Durability's cost, on servers of its own: a master with a replica, and a Cluster with replicas. */
async function durabilityScenarios(withCluster: boolean, sections: Section[]): Promise<void> {
  const show = (section: Section) => {
    sections.push(section);
    console.log(sectionToText(section));
  };
  const master = await RedisServer.start();
  const replica = await RedisServer.startReplica(master);
  pin(master.pid, String(lastCpu()));
  pin(replica.pid, String(lastCpu()));
  try {
    begin('durability (standalone with a replica)');
    show(
      await durabilityCost({ url: master.url }, 'standalone with a replica', ROUNDS, DURATION_MS),
    );
  } finally {
    await replica.destroy();
    await master.destroy();
  }
  if (!withCluster) return;
  const cluster = await RedisCluster.start(3, 1);
  cluster.nodes.forEach((node) => pin(node.pid, String(lastCpu())));
  try {
    begin('durability (cluster, one replica per master)');
    show(
      await durabilityCost(
        { cluster: { nodes: cluster.seeds } },
        'cluster, one replica per master',
        ROUNDS,
        DURATION_MS,
      ),
    );
  } finally {
    await cluster.destroy();
  }
}

/** The scenarios that call the library in this process: link operations, batch reads, poolSize. */
async function libraryScenarios(
  redis: RedisModuleOptions,
  topology: string,
  chosen: Set<string>,
  collect: (result: { section: Section; targets: TargetCheck[] }) => void,
  sections: Section[],
): Promise<void> {
  const library = await startLibrary(redis);
  const raw = await startRawClient(redis);
  try {
    if (chosen.has('link')) {
      begin(`link operations (${topology})`);
      collect(await linkOperations(library, raw.client, topology, ROUNDS, DURATION_MS));
    }
    if (chosen.has('cache')) {
      begin(`link cache (${topology})`);
      collect(await linkCache(redis, topology, ROUNDS, DURATION_MS));
    }
    if (chosen.has('placement')) {
      begin(`new-user placement (${topology})`);
      collect(await newUserPlacement(redis, topology, ROUNDS, DURATION_MS));
    }
    if (chosen.has('scan')) {
      begin(`reverse lookup and release (${topology})`);
      const section = await scanAndRelease(library, raw.client, topology, SCAN_LINKS);
      sections.push(section);
      console.log(sectionToText(section));
    }
    if (chosen.has('batch')) {
      begin(`batch reads (${topology})`);
      collect(await batchReads(library, raw.client, topology, ROUNDS, DURATION_MS));
    }
  } finally {
    await raw.close();
    await library.close();
  }
  if (chosen.has('pool')) {
    begin(`poolSize (${topology})`);
    const section = await poolSizes(redis, topology, ROUNDS, DURATION_MS);
    sections.push(section);
    console.log(sectionToText(section));
  }
}

function writeReport(sections: Section[], withCluster: boolean): void {
  const log = readFileSync(join(__dirname, '..', '..', 'bench', 'optimisation-log.md'), 'utf8');
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench${withCluster ? ' -- --cluster' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${describeMachine()}.`,
    `Private redis-servers on loopback, pinned to CPU ${lastCpu()}; the benchmark on CPU ${clientCpus()}.`,
    `Library scenarios: median of ${ROUNDS} rounds of ${DURATION_MS} ms after a warm-up round, contenders in`,
    `turns within each round. HTTP: ${HTTP_ROUNDS} rounds of ${HTTP_DURATION_MS} ms. Each ratio is the median of`,
    'per-round ratios, so it need not equal the ratio of the medians shown beside it.',
    `CPU check (a fixed loop timed before each scenario; higher = the VM was slower): ${cpuChecks
      .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`)
      .join(', ')}.`,
    '',
    ...sections.map(sectionToMarkdown),
    log.trim(),
    '',
  ];
  writeFileSync('BENCHMARKS.md', lines.join('\n'));
  console.log('\nwrote BENCHMARKS.md');
}

void main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
