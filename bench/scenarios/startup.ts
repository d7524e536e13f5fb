import { spawn } from 'child_process';
import { join } from 'path';
import { freePort } from '../../test/support/redis-server';
import { median } from '../support/measure';
import { formatNumber, type Section, type TargetCheck } from '../support/report';

const SERVICE_ENTRY = join(__dirname, '..', '..', 'src', 'service', 'main.js');
const TARGET_MS = 1_000;

/**
 * Service start to ready: from spawning `node main.js` (the compiled service, as `npm start` runs
 * it after building) to the first 200 from /health/ready, polled every 5 ms. Bare `node -e ""`
 * is measured alongside, as the floor no service can go below.
 */
export async function startToReady(
  redisUrl: string,
  rounds: number,
): Promise<{ section: Section; targets: TargetCheck[] }> {
  const service: number[] = [];
  const bareNode: number[] = [];
  for (let round = 0; round < rounds + 1; round++) {
    const ready = await timeServiceStart(redisUrl);
    const floor = await timeProcess(['-e', '']);
    if (round === 0) continue; // warm-up: the first start also warms the disk cache
    service.push(ready);
    bareNode.push(floor);
  }
  const readyMs = median(service);
  const row = [
    formatNumber(readyMs),
    formatNumber(median(bareNode)),
    service.map((v) => formatNumber(v)).join(', '),
  ];
  console.log(`  start to ready: ${row[0]} ms (node alone ${row[1]} ms)`);
  return {
    section: {
      title: 'Service start to ready (standalone Redis)',
      notes: [
        `Median of ${rounds} starts after one warm-up start; LOG_LEVEL=warn, Redis already up.`,
      ],
      header: ['start to ready (ms)', 'bare node start (ms)', 'each start (ms)'],
      rows: [row],
    },
    targets: [
      {
        target: `service start to ready < ${formatNumber(TARGET_MS)} ms`,
        measured: `${formatNumber(readyMs)} ms`,
        met: readyMs < TARGET_MS,
      },
    ],
  };
}

async function timeServiceStart(redisUrl: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [SERVICE_ENTRY], {
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health/ready`)
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error('the service never became ready');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await stop(child);
  }
}

async function timeProcess(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

function stop(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
