import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';
import { freePort } from '../../test/support/redis-server';

/** The compiled service, as `npm start` runs it after building (from .bench-build). */
const SERVICE_ENTRY = join(__dirname, '..', '..', 'src', 'service', 'main.js');

/** The service as a process on a free loopback port, against `redisUrl`, once /health/ready is 200. */
export async function startServiceProcess(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVICE_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIS_URL: redisUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'fatal',
      ...env,
    },
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) return { child, port };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('the service did not become ready');
}
