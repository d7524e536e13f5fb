import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Pids of every redis-server the tests start, kept in a file per test run (named after the run's
 * main process), so that the global setup and teardown can kill any a crashed or force-exited
 * worker left behind, without touching the servers of another run on the same machine (a second
 * checkout's tests, a benchmark). A pid is only killed while it still belongs to a redis-server.
 */
const PREFIX = 'stateful-redis-test-servers';
const ENV = 'STATEFUL_TEST_SERVER_REGISTRY';

function registryPath(): string {
  return process.env[ENV] ?? join(tmpdir(), `${PREFIX}-${process.pid}.pids`);
}

/** Called by the global setup: workers started after it register into this run's file. */
export function startRunRegistry(): void {
  process.env[ENV] = join(tmpdir(), `${PREFIX}-${process.pid}.pids`);
}

export function registerServerPid(pid: number | undefined): void {
  if (pid !== undefined) appendFileSync(registryPath(), `${pid}\n`);
}

/** Kills the servers of this run's registry. */
export function killRegisteredServers(path: string = registryPath()): number {
  if (!existsSync(path)) return 0;
  let killed = 0;
  for (const pid of readFileSync(path, 'utf8').split('\n').filter(Boolean).map(Number)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server')) continue;
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  rmSync(path, { force: true });
  return killed;
}

/** Kills the servers left by earlier runs whose main process is gone (interrupted runs). */
export function killOrphanedServers(): number {
  let killed = 0;
  for (const name of readdirSync(tmpdir())) {
    const match = new RegExp(`^${PREFIX}-(\\d+)\\.pids$`).exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    killed += killRegisteredServers(join(tmpdir(), name));
  }
  return killed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
