// A host app as a user writes it: installs the packed package, imports it by name, wires it in.
// Built with strict tsc and run against a private Redis by test/consumers/check.mjs.
import 'reflect-metadata';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import {
  LinkCache,
  LuaScriptsHealthIndicator,
  NoAvailablePodError,
  RedisHealthIndicator,
  StatefulExceptionFilter,
  StatefulExecutorService,
  StatefulModule,
  StatefulPodAgent,
  StatefulValidationError,
  type ComputeLinkResult,
} from 'nest-stateful-redis';

@Controller()
class AppController {
  constructor(
    private readonly store: StatefulExecutorService,
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly scripts: LuaScriptsHealthIndicator,
  ) {}

  @Get('route/:uid')
  route(@Param('uid') uid: string): Promise<ComputeLinkResult> {
    return this.store.computeLinkedPod('prod', uid, 'game', -1);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.redis.isHealthy(), () => this.scripts.isHealthy()]);
  }
}

@Module({
  imports: [
    StatefulModule.forRoot({ redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } }),
    TerminusModule,
  ],
  controllers: [AppController],
  providers: [{ provide: APP_FILTER, useClass: StatefulExceptionFilter }],
})
class AppModule {}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Another process's write: a separate library instance without the cache. */
async function store2Set(uid: string, podId: number): Promise<void> {
  const other = await NestFactory.createApplicationContext(
    StatefulModule.forRoot({ redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } }),
    { logger: ['error', 'warn'] },
  );
  await other.get(StatefulExecutorService).setLinkedPod('prod', uid, 'game', podId, -1);
  await other.close();
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`consumer check failed: ${what}`);
}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const store = app.get(StatefulExecutorService);

  // The executor, straight from DI.
  await store.reportPodLoad('prod', 'game', 0, 1);
  const first = await store.computeLinkedPod('prod', 'u1', 'game', -1);
  check(
    first.podId === 0 && first.created,
    `computeLinkedPod placed u1 (${JSON.stringify(first)})`,
  );
  check((await store.getLinkedPod('prod', 'u1', 'game')) === 0, 'getLinkedPod reads the link');

  // Both health indicators, directly and through Terminus.
  const redis = await app.get(RedisHealthIndicator).isHealthy();
  const scripts = await app.get(LuaScriptsHealthIndicator).isHealthy();
  check(redis.redis.status === 'up', `RedisHealthIndicator up (${JSON.stringify(redis)})`);
  check(scripts['redis-scripts'].status === 'up', 'LuaScriptsHealthIndicator up');
  const ready = await fetch(`${base}/ready`);
  check(ready.status === 200, `Terminus readiness 200 (got ${ready.status})`);

  // Typed errors cross the package boundary, and the filter answers them as the service does.
  const invalid = await store
    .getLinkedPod('prod', '{bad}', 'game')
    .catch((error: unknown) => error);
  check(invalid instanceof StatefulValidationError, 'a bad uid is a StatefulValidationError');
  const badUid = await fetch(`${base}/route/${encodeURIComponent('{bad}')}`);
  const badBody = (await badUid.json()) as { message?: string };
  check(
    badUid.status === 400 && /^Invalid uid/.test(badBody.message ?? ''),
    `400 naming uid (${badUid.status})`,
  );
  const noPod = await store
    .computeLinkedPod('prod', 'u2', 'empty', -1)
    .catch((error: unknown) => error);
  check(noPod instanceof NoAvailablePodError, 'no pod is a NoAvailablePodError');
  await store.removeServicePod('prod', 'game', 0);
  const unavailable = await fetch(`${base}/route/u3`);
  check(unavailable.status === 503, `no available pod answers 503 (got ${unavailable.status})`);

  await app.close();

  // A pod of the StatefulSet: the agent reports Ready at start, its load, and Shutdown at the end.
  process.env.HOSTNAME = 'game-4';
  @Module({
    imports: [
      StatefulModule.forRoot({
        redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
        pod: { namespace: 'prod', service: 'game', reportEveryMs: 200, load: () => 7 },
      }),
    ],
  })
  class PodModule {}
  const pod = await NestFactory.createApplicationContext(PodModule, { logger: ['error', 'warn'] });
  check(pod.get(StatefulPodAgent).podId === 4, 'the agent takes its pod id from HOSTNAME');
  const podStore = pod.get(StatefulExecutorService);
  check(
    (await podStore.getServicePodState('prod', 'game', 4)) === 'Ready',
    'the agent reported Ready',
  );
  check(
    (await podStore.getPodLoads('prod', 'game')).get(4)?.load === 7,
    'the agent reported its load',
  );
  const routed = await podStore.computeLinkedPod('prod', 'u-pod', 'game', -1);
  check(routed.podId === 4, 'a new user is placed on the reporting pod');
  check(
    Number.isSafeInteger(routed.epoch) &&
      (await pod.get(StatefulPodAgent).owns('u-pod', routed.epoch)),
    'the pod owns its new user at the epoch computeLinkedPod answered',
  );
  check(
    !(await pod.get(StatefulPodAgent).owns('u-pod', routed.epoch - 1)),
    'an older epoch does not own the user',
  );
  await pod.close();
  const after = await NestFactory.createApplicationContext(
    StatefulModule.forRoot({ redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } }),
    { logger: ['error', 'warn'] },
  );
  const state = await after.get(StatefulExecutorService).getServicePodState('prod', 'game', 4);
  check(state === 'Shutdown', `the agent reported Shutdown on close (got ${state})`);
  await after.close();

  // A gateway with the link cache: the second read is a hit, another client's change is followed.
  const gateway = await NestFactory.createApplicationContext(
    StatefulModule.forRoot({
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      cache: { maxEntries: 1_000 },
    }),
    { logger: ['error', 'warn'] },
  );
  const cache = gateway.get(LinkCache);
  const gatewayStore = gateway.get(StatefulExecutorService);
  for (let i = 0; i < 200 && !cache.stats().tracking; i++) await sleep(25);
  check(cache.stats().tracking, 'the link cache is tracking');
  await store2Set('u-cached', 1);
  // A read overlapping Redis's report of that write is rightly not kept: read until one is a hit.
  for (let i = 0; i < 50 && cache.stats().hits === 0; i++) {
    check((await gatewayStore.getLinkedPod('prod', 'u-cached', 'game')) === 1, 'cache: read');
  }
  check(cache.stats().hits > 0, `cache: reads are hits (${JSON.stringify(cache.stats())})`);
  await store2Set('u-cached', 2);
  let seen: number | null = 1;
  for (let i = 0; i < 100 && seen !== 2; i++) {
    seen = await gatewayStore.getLinkedPod('prod', 'u-cached', 'game');
    if (seen !== 2) await sleep(10);
  }
  check(seen === 2, "cache: another client's change is followed");
  await gateway.close();
  process.stdout.write('consumer ok\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
