import { Test } from '@nestjs/testing';
import { StatefulExecutorService, StatefulModule } from '../src';
import { RedisServer } from '../test/support/redis-server';
import { throughput } from './support/measure';

/** A CPU profile of one link operation under load: `node --cpu-prof .bench-build/bench/profile-link.js`. */
async function main(): Promise<void> {
  const server = await RedisServer.start();
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ redis: { url: server.url } })],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  const executor = app.get(StatefulExecutorService);
  const rate = await throughput(
    (i) => executor.setLinkedPod('bench', `u${i % 10_000}`, 'game', i % 8, -1),
    256,
    4_000,
  );
  console.log(`setLinkedPod: ${Math.round(rate)} ops/s`);
  await app.close();
  await server.destroy();
}

void main();
