import { appendFileSync, existsSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Pids of every redis-server the tests start, kept in a file so that Jest's global setup and
 * teardown can kill any a crashed or force-exited worker left behind. A pid is only killed while
 * it still belongs to a redis-server.
 */
const REGISTRY = join(tmpdir(), 'stateful-redis-test-servers.pids');

export function registerServerPid(pid: number | undefined): void {
  if (pid !== undefined) appendFileSync(REGISTRY, `${pid}\n`);
}

export function killRegisteredServers(): number {
  if (!existsSync(REGISTRY)) return 0;
  let killed = 0;
  for (const pid of readFileSync(REGISTRY, 'utf8').split('\n').filter(Boolean).map(Number)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server')) continue;
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  rmSync(REGISTRY, { force: true });
  return killed;
}
