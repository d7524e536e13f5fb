import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { StatefulExecutorService, StatefulModule, type StatefulModuleOptions } from '../../src';

/** A Nest app importing StatefulModule.forRoot(options) (the pod table off unless set). */
export async function startLibraryApp(
  options: StatefulModuleOptions,
): Promise<{ app: INestApplication; executor: StatefulExecutorService }> {
  const moduleRef = await Test.createTestingModule({
    imports: [StatefulModule.forRoot({ podTableTtlMs: 0, ...options })],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  return { app, executor: app.get(StatefulExecutorService) };
}

/** Collects the process's unhandled rejections while `body` runs (and a little after). */
export async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return seen;
}
