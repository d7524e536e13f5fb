import { LinkLoad, stopAllLoads } from './support/link-load';
import { useTestbed } from './support/stateful-testbed';

const COMMAND_TIMEOUT_MS = 1_000;

afterEach(stopAllLoads);

/** A Redis restart mid-load: calls fail with the typed error or succeed, never hang, and recover by themselves. */
describe('fault: standalone Redis restart under load', () => {
  const bed = useTestbed('standalone', { redis: { commandTimeoutMs: COMMAND_TIMEOUT_MS } });

  it('fails calls only with RedisUnavailableError, never hangs, and serves again after the restart', async () => {
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const load = new LinkLoad(bed.executor, users);
    load.start();
    await load.waitForSuccesses(500);

    await bed.server!.stop();
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await bed.server!.launch();
    const relaunchedAt = Date.now();
    await load.waitForSuccesses(500);
    const recoveredAt = Date.now();
    const report = await load.stop();

    console.log(
      `standalone restart: ${report.succeeded} calls succeeded, ${report.failed} failed (all RedisUnavailableError: ` +
        `${report.unexpected.length === 0}); Redis down for ${relaunchedAt - killedAt} ms; ` +
        `500 further successes ${recoveredAt - relaunchedAt} ms after the restart; slowest call ${report.slowestMs} ms ` +
        `(commandTimeoutMs ${COMMAND_TIMEOUT_MS})`,
    );
    expect(report.unexpected).toEqual([]);
    expect(report.failed).toBeGreaterThan(0);
    // No call hangs: each one settles within its command timeout plus scheduling slack.
    expect(report.slowestMs).toBeLessThan(COMMAND_TIMEOUT_MS + 1_500);

    // The restarted Redis lost everything (no persistence here); after it, every user is on one pod.
    for (const uid of users) {
      const after = (report.acknowledged.get(uid) ?? []).filter((ack) => ack.at > relaunchedAt);
      const stored = await bed.executor.getLinkedPod(load.namespace, uid, load.service);
      if (after.length > 0)
        expect(new Set(after.map((ack) => ack.podId))).toEqual(new Set([stored]));
    }
  });
});
