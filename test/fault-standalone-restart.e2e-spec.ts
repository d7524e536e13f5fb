import { LinkLoad, auditUsers, stopAllLoads } from './support/link-load';
import { useTestbed } from './support/stateful-testbed';

const COMMAND_TIMEOUT_MS = 1_000;

afterEach(stopAllLoads);

/** A Redis restart mid-load: calls fail with the typed error or succeed, never hang, and recover by themselves. */
describe('fault: standalone Redis restart under load', () => {
  const bed = useTestbed('standalone', { redis: { commandTimeoutMs: COMMAND_TIMEOUT_MS } });

  it('fails calls only with RedisUnavailableError, never hangs, and serves again after the restart', async () => {
    const load = new LinkLoad(bed.executor, 'restart');
    load.start();
    await load.waitForSuccesses(500);

    await bed.server!.stop();
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await bed.server!.launch();
    const relaunchedAt = Date.now();
    await load.waitForSuccesses(1);
    const firstSuccessAt = Date.now();
    await load.waitForSuccesses(500);
    const report = await load.stop();
    const audit = await auditUsers(bed.executor, load, report, relaunchedAt);

    console.log(
      `standalone restart: ${report.succeeded} calls succeeded, ${report.failed} failed (all RedisUnavailableError: ` +
        `${report.unexpected.length === 0}); Redis down ${relaunchedAt - killedAt} ms; first success ` +
        `${firstSuccessAt - relaunchedAt} ms after the restart; slowest call ${report.slowestMs} ms ` +
        `(commandTimeoutMs ${COMMAND_TIMEOUT_MS})`,
    );
    expect(report.unexpected).toEqual([]);
    expect(report.failed).toBeGreaterThan(0);
    // No call hangs: each one settles within its command timeout plus scheduling slack.
    expect(report.slowestMs).toBeLessThan(COMMAND_TIMEOUT_MS + 1_500);
    // The restarted Redis lost everything (no persistence here); since then every user is on one pod.
    expect(audit.disagreeingSince).toBe(0);
    expect(audit.hashMismatches).toBe(0);
  }, 60_000);
});
