import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { StatefulExecutorService, StatefulModule, StoreOverview } from '../src';
import { RedisServer } from './support/redis-server';
import { TOPOLOGIES, useTestbed, type StatefulTestbed } from './support/stateful-testbed';

const NS = 'prod';
const SVC = 'game';

type Read = [string, (executor: StatefulExecutorService, bed: StatefulTestbed) => Promise<unknown>];

/** Every read of the library (reads only: a compute or a report is a write). */
const READS: Read[] = [
  ['getLinkedPod', (e) => e.getLinkedPod(NS, 'u1', SVC)],
  ['getLinkedPod, no link', (e) => e.getLinkedPod(NS, 'nobody', SVC)],
  ['getLink', (e) => e.getLink(NS, 'u2', SVC)],
  ['getLinkedPodIfPersist', (e) => e.getLinkedPodIfPersist(NS, 'u1', SVC)],
  ['isLinkOwner', (e) => e.isLinkOwner(NS, 'u1', SVC, 1, 1)],
  ['getLinkedPods', (e) => e.getLinkedPods(NS, ['u1', 'u2', 'u3'], SVC)],
  ['getLinkService', (e) => e.getLinkService(NS, 'u1')],
  ['getServiceState', (e) => e.getServiceState(NS, SVC)],
  ['getServicePodState', (e) => e.getServicePodState(NS, SVC, 1)],
  ['getPodLoads', (e) => e.getPodLoads(NS, SVC)],
  ['getPodAddresses', (e) => e.getPodAddresses(NS, SVC)],
  ['getWorkloadState', (e) => e.getWorkloadState(NS, SVC)],
  ['getWorkloadStates', (e) => e.getWorkloadStates(NS, [SVC, 'chat'])],
  ['scanLinkedUsersPage', (e) => e.scanLinkedUsersPage(NS, SVC, 1)],
  ['StoreOverview.podList', (_e, bed) => bed.app.get(StoreOverview).podList(NS, SVC)],
  ['StoreOverview.userLinks', (_e, bed) => bed.app.get(StoreOverview).userLinks(NS, 'u1', [SVC])],
];

/**
 * Redis holds writes during CLIENT PAUSE WRITE, which FAILOVER and manual Cluster failovers use.
 * No read of the library may wait on it: reads run as plain read commands or EVALSHA_RO, which
 * the pause lets through. A write started on another connection proves the pause is on: each read
 * must answer while that write still waits.
 */
describe.each(
  TOPOLOGIES.flatMap((topology) => [
    { topology, cache: false },
    { topology, cache: true },
  ]),
)('reads during a write pause ($topology, cache $cache)', ({ topology, cache }) => {
  const bed = useTestbed(topology, cache ? { cache: { maxEntries: 1_000 } } : {});
  let writer: Redis[];

  beforeAll(async () => {
    const ex = bed.executor;
    await ex.setLinkedPod(NS, 'u1', SVC, 1, -1);
    await ex.setLinkedPod(NS, 'u2', SVC, 2, 300);
    await ex.reportPodStatus(NS, SVC, 1, { load: 1, state: 'Ready', address: '10.0.0.1:7000' });
    await ex.setWorkloadState(NS, SVC, 'Available');
    writer = bed.masters().map((node) => new Redis(node.options.port!, node.options.host!));
  });
  afterAll(async () => {
    await Promise.all(bed.masters().map((node) => node.call('CLIENT', 'UNPAUSE')));
    writer?.forEach((client) => client.disconnect());
  });

  it.each(READS)('%s answers while writes are paused', async (_name, read) => {
    await Promise.all(bed.masters().map((node) => node.call('CLIENT', 'PAUSE', '10000', 'WRITE')));
    // A write on another connection of every master (PUBLISH, which a write pause holds too,
    // on any node whatever its slots): held until the pause ends.
    let written = false;
    const held = Promise.all(writer.map((client) => client.publish('pause-probe', '1'))).then(
      () => {
        written = true;
      },
    );
    try {
      await read(bed.executor, bed);
      expect(written).toBe(false);
    } finally {
      await Promise.all(bed.masters().map((node) => node.call('CLIENT', 'UNPAUSE')));
      await held;
    }
  });
});

describe('reads on a server without EVALSHA_RO (before Redis 7)', () => {
  let server: RedisServer;
  let app: INestApplication;

  beforeAll(async () => {
    // As Redis 6 answers: the read-only script commands are unknown.
    server = await RedisServer.start([
      '--rename-command',
      'EVALSHA_RO',
      '',
      '--rename-command',
      'EVAL_RO',
      '',
    ]);
    const moduleRef = await Test.createTestingModule({
      imports: [StatefulModule.forRoot({ redis: { url: server.url } })],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
  });
  afterAll(async () => {
    await app?.close();
    await server?.destroy();
  });

  it('fall back to EVALSHA once, and keep answering', async () => {
    const executor = app.get(StatefulExecutorService);
    await executor.setLinkedPod(NS, 'u1', SVC, 3, -1);
    await expect(executor.getLink(NS, 'u1', SVC)).resolves.toMatchObject({ podId: 3 });
    await expect(executor.getLinkedPodIfPersist(NS, 'u1', SVC)).resolves.toBe(3);
    await server.command('SCRIPT', 'FLUSH');
    await expect(executor.getLink(NS, 'u1', SVC)).resolves.toMatchObject({ podId: 3 });
    const stats = await server.command('INFO', 'commandstats');
    expect(stats).toMatch(/cmdstat_evalsha:calls=\d+/);
    expect(stats).toMatch(/cmdstat_eval:calls=1,/);
  });
});
