import { execFileSync } from 'child_process';
import { cpus } from 'os';

/** CPU count and model, Node and Redis versions: the header of every report. */
export function describeMachine(): string {
  const redis = execFileSync('redis-server', ['--version']).toString().trim();
  const version = /v=(\S+)/.exec(redis)?.[1] ?? redis;
  return `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, Redis ${version}`;
}

/** The last CPU, where Redis runs; the benchmark's own work runs on the others. */
export function lastCpu(): number {
  return cpus().length - 1;
}

/**
 * Pins a process to a CPU list (`taskset -p -c`). On 2 cores, Redis on one and the client on the
 * other halves the round-to-round spread. Returns false where taskset or a second CPU is missing.
 */
export function pin(pid: number | undefined, cpuList: string): boolean {
  if (pid === undefined || cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** CPUs other than the last, as a taskset list. */
export function clientCpus(): string {
  const last = lastCpu();
  return last > 1 ? `0-${last - 1}` : '0';
}

/**
 * Milliseconds a fixed piece of arithmetic takes (median of 3). Timed before every scenario: if it
 * grows during a run, something else took the CPU (on a shared VM, another tenant) and the absolute
 * figures of that part are low; same-round ratios are less affected.
 */
export function cpuCheckMs(): number {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let x = 1;
    for (let i = 0; i < 20_000_000; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    times.push(performance.now() - started + (x < 0 ? 1 : 0));
  }
  return times.sort((a, b) => a - b)[1];
}
