import { spawn, type ChildProcess } from 'child_process';
import { join } from 'path';
import { buildSrc } from '../build-src';
import { freePort } from '../redis-server';

const ROOT = join(__dirname, '..', '..', '..');

/** This checkout's library and service, compiled once for the processes of the churn test. */
export function buildForProcesses(): string {
  return buildSrc('churn');
}

/** Where the processes find Redis: REDIS_URL, or REDIS_CLUSTER_NODES. */
export type RedisEnv = { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string };

export interface ChildHandle {
  readonly child: ChildProcess;
  readonly port: number;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
  signal(signal: NodeJS.Signals): void;
  output(): string;
}

const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));

/** Kills (SIGKILL) every process this module started that still runs. */
export async function killAll(): Promise<void> {
  const children = [...live];
  children.forEach((child) => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
}

function start(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  what: string,
): Promise<ChildHandle> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const read = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      live.delete(child);
      resolve();
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${output}`)), 30_000);
    const check = () => {
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve({
        child,
        port: Number(match[1] ?? env.PORT),
        exited,
        signal: (signal) => child.kill(signal),
        output: () => output,
      });
    };
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`${what} exited: ${output}`)));
  });
}

/** A pod running StatefulPodAgent (churn-pod.mjs), beating every `beatMs`. */
export function startChurnPod(
  buildDir: string,
  redis: RedisEnv,
  podId: number,
  names: { namespace: string; service: string },
  beatMs: number,
): Promise<ChildHandle> {
  return start(
    [join(__dirname, 'churn-pod.mjs')],
    {
      ...redis,
      LIBRARY_DIR: buildDir,
      POD_ID: String(podId),
      NAMESPACE: names.namespace,
      SERVICE: names.service,
      BEAT_MS: String(beatMs),
    },
    /listening (\d+)/,
    `pod ${podId}`,
  );
}

/** The store's service (`node dist/service/main.js`, from the churn build) as a gateway. */
export async function startGateway(
  buildDir: string,
  redis: RedisEnv,
  env: Record<string, string>,
): Promise<ChildHandle> {
  const port = await freePort();
  const gateway = await start(
    [join(buildDir, 'service', 'main.js')],
    { ...redis, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    /Listening on http:\/\/\S+:(\d+)/,
    'gateway',
  );
  for (let tries = 0; ; tries++) {
    const live = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
    if (live?.ok) break;
    if (tries > 300) throw new Error(`gateway not ready: ${gateway.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ...gateway, port };
}
