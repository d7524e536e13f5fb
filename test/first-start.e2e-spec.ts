import { execFile, execFileSync } from 'child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { buildSrc } from './support/build-src';

const execFileAsync = promisify(execFile);
/** Found now, with this machine's PATH: the scripts may run with another. */
const which = (name: string) =>
  execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
const IP_BINARY = which('ip');
const UNSHARE_BINARY = which('unshare');
let main: string;
beforeAll(() => {
  main = join(buildSrc('first-start'), 'service', 'main.js');
}, 120_000);

/**
 * Runs `script` in a network namespace of its own (`unshare -n`, loopback up), where nothing answers
 * at the default Redis URL whatever this machine runs: the first start of a new user.
 */
async function inFreshNetwork(script: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await execFileAsync(
      UNSHARE_BINARY,
      ['-n', 'sh', '-c', `"$IP" link set lo up && ${script}`],
      { env: { ...env, NODE: process.execPath, MAIN: main, IP: IP_BINARY }, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** SPEC §12: `npm start` with no Redis configured and none running needs only redis-server. */
describe('the first start, with nothing at the default Redis URL', () => {
  it('starts a private memory-only redis-server, says so in one line, serves, and stops it with the service', async () => {
    const { code, stdout } = await inFreshNetwork(
      `
      PORT=3100 LOG_LEVEL=info "$NODE" "$MAIN" > /tmp/first-start.$$.log 2>&1 &
      pid=$!
      for i in $(seq 1 80); do
        "$NODE" -e "fetch('http://127.0.0.1:3100/health/ready').then(r=>process.exit(r.status===200?0:1)).catch(()=>process.exit(1))" && break
        sleep 0.1
      done
      "$NODE" -e "
        const base = 'http://127.0.0.1:3100/v1/namespaces/prod/services/game';
        (async () => {
          await fetch(base + '/pods/0/status', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ load: 1, state: 'Ready', address: '10.0.0.1:7000' }) });
          const route = await fetch(base + '/route?uid=u1');
          console.log('route', route.status, route.headers.get('x-stateful-pod'));
        })();
      "
      kill -TERM $pid; wait $pid
      cat /tmp/first-start.$$.log; rm -f /tmp/first-start.$$.log
      `,
      { PATH: process.env.PATH ?? '' },
    );
    expect(code).toBe(0);
    expect(stdout).toContain('route 200 0');
    const lines = stdout
      .split('\n')
      .filter((line) => line.includes('private, memory-only redis-server'));
    expect(lines).toHaveLength(1);
    const port = /redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(lines[0])![1];
    // Stopped with the service: no redis-server on that port is left (it may take a moment to exit).
    const left = async () =>
      (await execFileAsync('ps', ['-eo', 'args'])).stdout
        .split('\n')
        .filter((args) => args.endsWith(`redis-server 127.0.0.1:${port}`));
    for (let i = 0; i < 40 && (await left()).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await left()).toEqual([]);
  });

  it('without redis-server on the PATH, one line says how to get one or set REDIS_URL', async () => {
    // A PATH with sh and nothing else.
    const bin = mkdtempSync(join(tmpdir(), 'no-redis-'));
    symlinkSync(
      execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim(),
      join(bin, 'sh'),
    );
    const { code, stderr } = await inFreshNetwork('"$NODE" "$MAIN"', { PATH: bin }).finally(() =>
      rmSync(bin, { recursive: true, force: true }),
    );
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Invalid environment variable REDIS_URL: nothing answers at redis:\/\/127\.0\.0\.1:6379 and there is no redis-server on the PATH.*set REDIS_URL$/,
    );
  });
});
