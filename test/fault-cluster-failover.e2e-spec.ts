import { LuaScriptsHealthIndicator, RedisHealthIndicator } from '../src';
import type { RedisServer } from './support/redis-server';
import { LinkLoad, stopAllLoads, type LoadReport } from './support/link-load';
import { useTestbed, type StatefulTestbed } from './support/stateful-testbed';

const COMMAND_TIMEOUT_MS = 1_000;

afterEach(stopAllLoads);
const users = Array.from({ length: 300 }, (_, i) => `user-${i}`);

/** Each user's link key and hash entry agree, and every call acknowledged after `since` named the stored pod. */
async function expectOnePodPerUser(
  bed: StatefulTestbed,
  load: LinkLoad,
  report: LoadReport,
  since: number,
) {
  for (const uid of users) {
    const stored = await bed.executor.getLinkedPod(load.namespace, uid, load.service);
    const listed =
      (await bed.executor.getLinkService(load.namespace, uid)).get(load.service) ?? null;
    expect(listed).toBe(stored);
    const after = (report.acknowledged.get(uid) ?? []).filter((ack) => ack.at > since);
    if (after.length > 0) expect(new Set(after.map((ack) => ack.podId))).toEqual(new Set([stored]));
  }
}

/** Acknowledged claims whose pod is no longer the user's: writes lost with a killed master. */
async function lostAcknowledgements(
  bed: StatefulTestbed,
  load: LinkLoad,
  report: LoadReport,
): Promise<number> {
  let lost = 0;
  for (const uid of users) {
    const stored = await bed.executor.getLinkedPod(load.namespace, uid, load.service);
    lost += (report.acknowledged.get(uid) ?? []).filter((ack) => ack.podId !== stored).length;
  }
  return lost;
}

function summary(
  kind: string,
  report: LoadReport,
  faultAt: number,
  servingAt: number,
  lost: number,
): string {
  const recovery =
    report.lastFailureAt === undefined
      ? 'no failure'
      : `last failure ${report.lastFailureAt - faultAt} ms after the fault`;
  return (
    `${kind}: ${report.succeeded} calls succeeded, ${report.failed} failed (all RedisUnavailableError: ` +
    `${report.unexpected.length === 0}); ${recovery}; cluster ok again ` +
    `${servingAt - faultAt} ms after it; slowest call ${report.slowestMs} ms; acknowledged claims lost: ${lost}`
  );
}

/** Cluster master failovers mid-load: calls resume by themselves, scripts heal on the new master, no user on two pods. */
describe('fault: Redis Cluster failover under load', () => {
  const bed = useTestbed('cluster', { redis: { commandTimeoutMs: COMMAND_TIMEOUT_MS } });

  /** A replica with an empty script cache, so the new master it becomes must heal by NOSCRIPT fallback. */
  const prepareReplica = async (master: number): Promise<RedisServer> => {
    const replica = await bed.cluster!.replicaOf(master);
    await replica.command('SCRIPT', 'FLUSH');
    return replica;
  };

  const expectHealthyAndLoaded = async (newMaster: RedisServer) => {
    await expect(bed.app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: 3 },
    });
    await expect(bed.app.get(LuaScriptsHealthIndicator).isHealthy()).resolves.toMatchObject({
      'redis-scripts': { status: 'up' },
    });
    const exists = await newMaster.command(
      'SCRIPT',
      'EXISTS',
      bed.registry.sha1('statefulSetLinkIfAbsent'),
    );
    expect(exists.trim()).toBe('1');
  };

  it('CLUSTER FAILOVER on a replica: no call fails for another reason, nothing acknowledged is lost', async () => {
    const load = new LinkLoad(bed.executor, users);
    load.start();
    await load.waitForSuccesses(500);
    const [master] = await bed.cluster!.masterPorts();
    const replica = await prepareReplica(master);

    const faultAt = Date.now();
    await bed.cluster!.failoverTo(replica);
    const servingAt = Date.now();
    await load.waitForSuccesses(1_000);
    const report = await load.stop();
    const lost = await lostAcknowledgements(bed, load, report);
    console.log(summary('CLUSTER FAILOVER', report, faultAt, servingAt, lost));

    expect(report.unexpected).toEqual([]);
    expect(report.slowestMs).toBeLessThan(COMMAND_TIMEOUT_MS + 1_500);
    expect(lost).toBe(0);
    await expectOnePodPerUser(bed, load, report, 0);
    await expectHealthyAndLoaded(replica);
  });

  it('a killed master: calls resume after the replica takes over, every user on one pod', async () => {
    const load = new LinkLoad(bed.executor, users);
    load.start();
    await load.waitForSuccesses(500);
    const [masterPort] = await bed.cluster!.masterPorts();
    const master = bed.cluster!.nodes.find((node) => node.port === masterPort)!;
    const replica = await prepareReplica(masterPort);

    const faultAt = Date.now();
    await bed.cluster!.killMaster(master);
    const servingAt = Date.now();
    await load.waitForSuccesses(1_000);
    const resumedAt = Date.now();
    const report = await load.stop();
    const lost = await lostAcknowledgements(bed, load, report);
    console.log(summary('killed master', report, faultAt, servingAt, lost));

    expect(report.unexpected).toEqual([]);
    expect(report.slowestMs).toBeLessThan(COMMAND_TIMEOUT_MS + 1_500);
    // Replication is asynchronous: claims acknowledged by the killed master just before it died may be
    // lost (counted above, documented in the README). Since the takeover, every user is on one pod.
    await expectOnePodPerUser(bed, load, report, servingAt);
    expect(resumedAt).toBeGreaterThanOrEqual(servingAt);
    await expectHealthyAndLoaded(replica);
  });
});

/** Resharding mid-load onto a new, empty master: scripts heal there too, and keys moved keep their links. */
describe('fault: Redis Cluster resharding under load', () => {
  const bed = useTestbed('cluster', { redis: { commandTimeoutMs: COMMAND_TIMEOUT_MS } });

  it('moves slots to a new master without a script: calls resume, links survive the move', async () => {
    const load = new LinkLoad(bed.executor, users);
    load.start();
    await load.waitForSuccesses(500);
    const faultAt = Date.now();
    const newMaster = await bed.cluster!.addMasterAndReshard(2_000);
    const servingAt = Date.now();
    await load.waitForSuccesses(1_000);
    const report = await load.stop();
    const lost = await lostAcknowledgements(bed, load, report);
    console.log(summary('resharding', report, faultAt, servingAt, lost));

    expect(report.unexpected).toEqual([]);
    expect(report.slowestMs).toBeLessThan(COMMAND_TIMEOUT_MS + 1_500);
    expect(lost).toBe(0);
    await expectOnePodPerUser(bed, load, report, 0);
    // The new master serves some users' keys and, after the health check, has every script.
    expect(Number((await newMaster.command('DBSIZE')).trim())).toBeGreaterThan(0);
    await expect(bed.app.get(LuaScriptsHealthIndicator).isHealthy()).resolves.toMatchObject({
      'redis-scripts': { status: 'up' },
    });
    await expect(bed.registry.status()).resolves.toEqual({ loaded: true, missing: [] });
    await expect(bed.app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: 4 },
    });
  });
});
