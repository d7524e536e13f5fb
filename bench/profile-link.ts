import { Test } from '@nestjs/testing';
import { StatefulExecutorService, StatefulModule } from '../src';
import { RedisServer } from '../test/support/redis-server';
import { throughput } from './support/measure';

/**
 * A CPU profile of one link operation under load:
 * `node --cpu-prof .bench-build/bench/profile-link.js [set|get|compute]` (default set). `compute`
 * runs computeLinkedPod on existing links whose pods report, as the hot path of a gateway does.
 */
async function main(): Promise<void> {
  const operation = process.argv[2] ?? 'set';
  const server = await RedisServer.start();
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ redis: { url: server.url } })],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  const executor = app.get(StatefulExecutorService);
  const uid = (i: number) => `u${i % 10_000}`;
  for (let pod = 0; pod < 8; pod++) {
    await executor.reportPodStatus('bench', 'game', pod, { load: 0, everyMs: 60_000 });
  }
  for (let i = 0; i < 10_000; i++) await executor.setLinkedPod('bench', uid(i), 'game', i % 8, -1);
  const calls: Record<string, (i: number) => Promise<unknown>> = {
    set: (i) => executor.setLinkedPod('bench', uid(i), 'game', i % 8, -1),
    get: (i) => executor.getLinkedPod('bench', uid(i), 'game'),
    compute: (i) => executor.computeLinkedPod('bench', uid(i), 'game', -1),
  };
  const rate = await throughput(calls[operation], 256, 4_000);
  console.log(`${operation}: ${Math.round(rate)} ops/s`);
  await app.close();
  await server.destroy();
}

void main();
