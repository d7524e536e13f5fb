import {
  LuaScriptsHealthIndicator,
  RedisHealthIndicator,
  RedisUnavailableError,
  type StatefulExecutorService,
} from '../src';
import { LinkLoad, auditUsers } from './support/link-load';
import { TOPOLOGIES, useTestbed } from './support/stateful-testbed';

/** One call of every script-backed operation; resolves to what they returned. */
const everyScript = async (e: StatefulExecutorService, uid: string) => {
  await e.reportPodLoad('ns', 'svc', 1, 1);
  return [
    await e.setLinkedPod('ns', uid, 'svc', 1, -1),
    await e.setLinkedPodIfAbsent('ns', uid, 'svc', 2, -1),
    await e.trySetLinkedPod('ns', uid, 'svc', 1, -1),
    await e.getLinkedPodIfPersist('ns', uid, 'svc'),
    await e.computeLinkedPod('ns', uid, 'svc', -1),
    (await e.getPodLoads('ns', 'svc')).size,
    await e.removeLinkedPodWithId('ns', uid, 'svc', 1, 30),
    await e.removeLinkedPod('ns', uid, 'svc', -1),
    await e.removeServicePod('ns', 'svc', 1),
  ];
};
const expected = [
  null,
  1,
  { success: true, podId: 1 },
  1,
  { podId: 1, created: false, epoch: expect.any(Number) },
  1,
  true,
  true,
  true,
];

/** Callers never see NOSCRIPT: after SCRIPT FLUSH on every master the next call just works. */
describe.each(TOPOLOGIES)('Lua script cache recovery (%s)', (topology) => {
  const bed = useTestbed(topology);

  it('loads every script on every master at start', async () => {
    await expect(bed.registry.status()).resolves.toEqual({ loaded: true, missing: [] });
    const shas = bed.registry.scripts.map((script) => script.sha1);
    for (const node of bed.masters())
      expect(await node.script('EXISTS', ...shas)).toEqual(shas.map(() => 1));
  });

  it('every script works right after SCRIPT FLUSH, and each resend of a body is counted', async () => {
    await bed.flushScripts();
    const before = bed.registry.reloads;
    await expect(everyScript(bed.executor, 'after-flush')).resolves.toEqual(expected);
    // Eight distinct scripts ran, each met NOSCRIPT once on its master and was sent again by EVAL.
    expect(bed.registry.reloads - before).toBeGreaterThanOrEqual(8);
    const afterResend = bed.registry.reloads;
    await expect(everyScript(bed.executor, 'after-resend')).resolves.toEqual(expected);
    expect(bed.registry.reloads).toBe(afterResend);
  });

  it('a script error met after NOSCRIPT is still a typed error', async () => {
    await bed.flushScripts();
    await expect(bed.registry.run('statefulSetLink', ['only-one-key'], [])).rejects.toThrow(
      'statefulSetLink takes 3 keys, got 1',
    );
    await expect(
      bed.registry.run('statefulSetLink', ['{x}a', '{x}b', '{x}c'], ['svc', 1, 'not-seconds']),
    ).rejects.toMatchObject({ code: 'SCRIPT_FAILED', script: 'statefulSetLink' });
  });

  it('SCRIPT FLUSH on every master, again and again under load: no call fails', async () => {
    const load = new LinkLoad(bed.executor, `flush-${topology}`, 16, 'ns', 'svc');
    load.start();
    try {
      await load.waitForSuccesses(200);
      for (let i = 0; i < 20; i++) {
        await bed.flushScripts();
        await load.waitForSuccesses(50);
      }
      const report = await load.stop();
      const audit = await auditUsers(bed.executor, load, report, 0);
      console.log(
        `SCRIPT FLUSH x20 (${topology}): ${report.succeeded} calls succeeded, ${report.failed} failed, ` +
          `${audit.users} users, acknowledged claims lost: ${audit.lost}`,
      );
      expect(report.failed).toBe(0);
      expect(audit.lost).toBe(0);
      expect(audit.hashMismatches).toBe(0);
    } finally {
      await load.stop();
    }
  });

  it('the scripts health indicator finds missing scripts and loads them again', async () => {
    await bed.flushScripts();
    const status = await bed.registry.status();
    expect(status.loaded).toBe(false);
    expect(status.missing).toHaveLength(bed.masters().length);
    expect(status.missing[0].scripts).toHaveLength(bed.registry.scripts.length);
    const indicator = bed.app.get(LuaScriptsHealthIndicator);
    await expect(indicator.isHealthy('scripts')).resolves.toEqual({
      scripts: { status: 'up', scripts: bed.registry.scripts.length },
    });
    await expect(bed.registry.status()).resolves.toEqual({ loaded: true, missing: [] });
  });
});

describe('Redis restart (standalone)', () => {
  const bed = useTestbed('standalone');

  it('after a restart (all data and scripts lost), calls succeed again with no action by the caller', async () => {
    await bed.executor.setLinkedPod('ns', 'before-restart', 'svc', 1, -1);
    await bed.server!.restart();
    const deadline = Date.now() + 10_000;
    let result: unknown[] | undefined;
    while (result === undefined && Date.now() < deadline) {
      try {
        result = await everyScript(bed.executor, 'after-restart');
      } catch (error) {
        // While reconnecting, the only acceptable failure is the typed "unavailable" error.
        expect(error).toBeInstanceOf(RedisUnavailableError);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(result).toEqual(expected);
    await expect(bed.executor.getLinkedPod('ns', 'before-restart', 'svc')).resolves.toBeNull();
    await expect(bed.app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: 1 },
    });
  });
});
