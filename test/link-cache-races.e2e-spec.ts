import { Test } from '@nestjs/testing';
import { Cluster, Redis } from 'ioredis';
import { LinkCache, StatefulExecutorService, StatefulModule } from '../src';
import { RedisCluster } from './support/redis-cluster';
import { RedisServer } from './support/redis-server';
import { useTestbed } from './support/stateful-testbed';
import { waitUntil } from './support/wait-until';

/** A socket whose reading can be held, to make one reply arrive late on purpose. */
type Pausable = { stream: { pause(): void; resume(): void } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The races found in review of the link cache, each made to happen by holding one socket. */
describe('link cache races (standalone)', () => {
  const bed = useTestbed('standalone', { cache: { maxEntries: 1_000 } });
  const cache = () => bed.app.get(LinkCache);
  const untilTracking = () =>
    waitUntil(() => Promise.resolve(cache().stats().tracking), 'tracking', 10_000, 20);

  it('a read that starts after an invalidation never shares a read begun before it', async () => {
    await untilTracking();
    const key = 'sf:{ns:lk:j1}svc';
    await bed.raw.set(key, '1');
    await sleep(50);
    const data = bed.pool.clients[0] as unknown as Pausable;
    data.stream.pause(); // the first read's reply arrives late
    const first = bed.executor.getLinkedPod('ns', 'j1', 'svc'); // Redis answers 1 now
    await sleep(20);
    await bed.raw.set(key, '2'); // another gateway moves the user
    await sleep(50); // Redis's report reaches this process
    const second = bed.executor.getLinkedPod('ns', 'j1', 'svc');
    data.stream.resume();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
  });

  it('two concurrent writes of this process: the last one Redis applied is what is answered', async () => {
    await untilTracking();
    // The listener's reports arrive late, so only this process's own bookkeeping can be right.
    const listener = (
      cache() as unknown as { masters: { listeners: Map<string, { connection: Pausable }> } }
    ).masters.listeners.get('server')!;
    listener.connection.stream.pause();
    try {
      await Promise.all([
        bed.executor.setLinkedPod('ns', 'w1', 'svc', 1, -1),
        bed.executor.setLinkedPod('ns', 'w1', 'svc', 2, -1),
      ]);
      await sleep(100);
      const stored = await bed.raw.get('sf:{ns:lk:w1}svc');
      expect(String(await bed.executor.getLinkedPod('ns', 'w1', 'svc'))).toBe(stored);
    } finally {
      listener.connection.stream.resume();
    }
  });
});

describe('link cache when Redis refuses tracking', () => {
  it('reads from Redis, and asks again at a slowing pace rather than reconnecting in a loop', async () => {
    const server = await RedisServer.start();
    const admin = new Redis(server.port, '127.0.0.1');
    await admin.call('ACL', 'SETUSER', 'lim', 'on', '>pw', '~*', '&*', '+@all', '-client|tracking');
    const moduleRef = await Test.createTestingModule({
      imports: [
        StatefulModule.forRoot({
          redis: { host: '127.0.0.1', port: server.port, username: 'lim', password: 'pw' },
          cache: { maxEntries: 100 },
        }),
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const connections = async () =>
        Number(/total_connections_received:(\d+)/.exec(await admin.info('stats'))![1]);
      await sleep(500);
      const before = await connections();
      await sleep(3_000);
      // Retries after 1, 2, 4 s...: at most two new connections in these 3 s (a tight loop made 29).
      expect((await connections()) - before).toBeLessThanOrEqual(2);
      expect(app.get(LinkCache).stats().tracking).toBe(false);
      await admin.set('sf:{n:lk:u}s', '3');
      const executor = app.get(StatefulExecutorService);
      expect(await executor.getLinkedPod('n', 'u', 's')).toBe(3);
      expect(await executor.getLinkedPod('n', 'u', 's')).toBe(3);
      expect(app.get(LinkCache).stats().hits).toBe(0);
    } finally {
      await app.close();
      admin.disconnect();
      await server.destroy();
    }
  });
});

describe('link cache with a Cluster client handed in', () => {
  it('leaves no listener on the client after app.close()', async () => {
    const cluster = await RedisCluster.start(3, 0);
    const client = new Cluster(cluster.seeds);
    const counts = () =>
      ['refresh', 'ready', '+node', '-node'].map((event) => client.listenerCount(event));
    try {
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
      const before = counts();
      for (let round = 0; round < 2; round++) {
        const moduleRef = await Test.createTestingModule({
          imports: [StatefulModule.forRoot({ redis: { client }, cache: { maxEntries: 100 } })],
        }).compile();
        const app = await moduleRef.createNestApplication({ logger: false }).init();
        await waitUntil(
          () => Promise.resolve(app.get(LinkCache).stats().tracking),
          'tracking',
          10_000,
          20,
        );
        await app.close();
        expect(counts()).toEqual(before);
      }
    } finally {
      client.disconnect();
      await cluster.destroy();
    }
  }, 60_000);
});
