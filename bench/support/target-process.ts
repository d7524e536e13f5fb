import { fork, type ChildProcess } from 'child_process';
import { join } from 'path';
import { clientCpus, pin } from './machine';

const TARGET_ENTRY = join(__dirname, 'http-target.js');

/** An HTTP target of the benchmark (http-target.ts) in a child process pinned to the client CPUs. */
export interface Target {
  mode: string;
  port: number;
  child: ChildProcess;
}

export async function startTarget(mode: string, env: Record<string, string>): Promise<Target> {
  const child = fork(TARGET_ENTRY, [mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${mode} exited with ${code}`)));
  });
  pin(child.pid, clientCpus());
  return { mode, port, child };
}

export function stopTarget(target: Target): Promise<void> {
  return new Promise((resolve) => {
    target.child.once('exit', () => resolve());
    target.child.kill('SIGTERM');
  });
}

/** The target process's CPU time so far (user + system, µs). */
export function serverCpuMicros(target: Target): Promise<number> {
  return new Promise((resolve) => {
    target.child.once('message', (message: { cpuMicros: number }) => resolve(message.cpuMicros));
    target.child.send('cpu');
  });
}
