import { spawn, type ChildProcess } from 'child_process';
import { accessSync, constants } from 'fs';
import { createServer, Socket } from 'net';
import { delimiter, join } from 'path';
import { EnvironmentError, type Env } from '../../config/environment-reader';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** A memory-only redis-server the service started for itself, stopped with the service. */
export interface PrivateRedis {
  url: string;
  process: ChildProcess;
}

/**
 * The first start needs only `redis-server` on the PATH (docs/operating.md): when no Redis is configured
 * (REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS unset) and nothing answers at the default
 * URL, starts a private, memory-only redis-server on a free loopback port. Undefined when a Redis is
 * configured or answers; EnvironmentError (one line: how to get one) when none can be started.
 */
export async function startPrivateRedisIfNeeded(env: Env): Promise<PrivateRedis | undefined> {
  const configured = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].some(
    (name) => (env[name] ?? '').trim() !== '',
  );
  if (configured || (await answers(6379, 500))) return undefined;
  const binary = findOnPath('redis-server', env.PATH ?? '');
  if (binary === undefined) {
    throw new EnvironmentError(
      'REDIS_URL',
      `nothing answers at ${DEFAULT_REDIS_URL} and there is no redis-server on the PATH to start a private one: install Redis (Debian: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL`,
    );
  }
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  // Stopped with the service, however it ends (a crash included).
  process.once('exit', () => child.kill('SIGTERM'));
  const deadline = Date.now() + 5_000;
  while (!(await answers(port, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new EnvironmentError('REDIS_URL', `the private redis-server (${binary}) did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, process: child };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function answers(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
