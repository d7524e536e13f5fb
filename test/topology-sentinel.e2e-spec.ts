import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import {
  RedisHealthIndicator,
  RedisUnavailableError,
  StatefulExecutorService,
  StatefulModule,
} from '../src';
import { RedisSentinelGroup } from './support/redis-sentinel-group';

/** Sentinel smoke suite and failover: the client finds the master through Sentinel and follows a failover. */
describe('Sentinel', () => {
  let group: RedisSentinelGroup;
  let app: INestApplication;
  let executor: StatefulExecutorService;

  beforeAll(async () => {
    group = await RedisSentinelGroup.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: {
            sentinel: { sentinels: group.sentinels, name: RedisSentinelGroup.MASTER_NAME },
            commandTimeoutMs: 1_000,
          },
        }),
      ],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    executor = app.get(StatefulExecutorService);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await group?.destroy();
  });

  it('serves every kind of operation through the master Sentinel names', async () => {
    await executor.reportPodLoad('sen', 'game', 2, 1);
    await expect(executor.computeLinkedPod('sen', 'u1', 'game', -1)).resolves.toEqual({
      podId: 2,
      created: true,
    });
    await expect(executor.trySetLinkedPod('sen', 'u1', 'game', 3, -1)).resolves.toEqual({
      success: false,
      podId: 2,
    });
    await expect(executor.getLinkService('sen', 'u1')).resolves.toEqual(new Map([['game', 2]]));
    expect(await group.master.command('GET', 'sf:{sen:lk:u1}game')).toBe('2\n');
    await expect(app.get(RedisHealthIndicator).isHealthy()).resolves.toEqual({
      redis: { status: 'up', nodes: 1 },
    });
  });

  it('follows SENTINEL FAILOVER to the new master under load', async () => {
    const oldMaster = await group.masterPort();
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          await executor.setLinkedPodIfAbsent('sen', `load-${i % 50}`, 'game', i % 4, -1);
          ok++;
        } catch (error) {
          expect(error).toBeInstanceOf(RedisUnavailableError);
          failures.push((error as Error).message);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    })();
    const started = Date.now();
    await group.failover();
    const newMaster = await group.masterPort();
    expect(newMaster).not.toBe(oldMaster);
    expect(newMaster).toBe(group.replica.port);

    // The client must reach the new master: a write lands there and is read back through it.
    const deadline = Date.now() + 15_000;
    let followed = false;
    while (!followed && Date.now() < deadline) {
      try {
        await executor.setLinkedPod('sen', 'after-failover', 'game', 7, -1);
        followed = (await group.replica.command('GET', 'sf:{sen:lk:after-failover}game')) === '7\n';
      } catch {
        // still switching over
      }
      if (!followed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const recoveredAfterMs = Date.now() - started;
    stop = true;
    await load;
    console.log(
      `Sentinel failover: ${ok} calls succeeded, ${failures.length} failed with RedisUnavailableError; ` +
        `writes reached the new master ${recoveredAfterMs} ms after SENTINEL FAILOVER`,
    );
    expect(followed).toBe(true);
    await expect(executor.getLinkedPod('sen', 'after-failover', 'game')).resolves.toBe(7);
    await expect(executor.getLinkedPod('sen', 'u1', 'game')).resolves.toBe(2);
  });
});
