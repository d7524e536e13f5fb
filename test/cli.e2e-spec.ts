import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { buildSrc } from './support/build-src';
import { VARIANTS } from './support/key-layouts';
import { freePort } from './support/redis-server';
import { useTestbed, type StatefulTestbed } from './support/stateful-testbed';

const execFileAsync = promisify(execFile);
let bin: string;
beforeAll(() => {
  // The bin as npm installs it: dist/cli/main.js of a build (here of this checkout).
  bin = join(buildSrc('cli'), 'cli', 'main.js');
}, 120_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `stateful-redis <args>` as a user would, with only the given environment. */
async function cli(args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function redisEnv(bed: StatefulTestbed, layout: string): Record<string, string> {
  const where: Record<string, string> = bed.cluster
    ? { REDIS_CLUSTER_NODES: bed.cluster.seeds.map((s) => `${s.host}:${s.port}`).join(',') }
    : { REDIS_URL: bed.server!.url };
  return { ...where, REDIS_KEY_LAYOUT: layout };
}

/** The CLI (SPEC §12) against a real Redis, in every topology and key layout. */
describe.each(VARIANTS)('stateful-redis CLI ($name)', ({ topology, keys }) => {
  const bed = useTestbed(topology, { keyLayout: keys.layout });
  const ns = keys.ns;
  const env = () => redisEnv(bed, keys.layout);
  beforeEach(() => bed.flush());

  async function seed() {
    const ex = bed.executor;
    await ex.reportPodStatus(ns, 'game', 0, { load: 3, state: 'Ready', address: '10.0.0.1:7000' });
    await ex.reportPodStatus(ns, 'game', 1, { load: 5, state: 'Ready' });
    for (let i = 0; i < 30; i++) await ex.setLinkedPod(ns, `u${i}`, 'game', i % 2, -1);
    await ex.setLinkedPod(ns, 'u1', 'chat', 4, 600);
  }

  it('pods: a table of state, load, report age, address and users; --json for scripts', async () => {
    await seed();
    const human = await cli(['pods', ns, 'game', '--users'], env());
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['POD', 'STATE', 'LOAD', 'AGE', 'ADDRESS', 'USERS']);
    expect(lines[1].split(/\s+/)).toEqual([
      '0',
      'Ready',
      '3',
      expect.stringMatching(/^\d+\.\ds$/),
      '10.0.0.1:7000',
      '15',
    ]);
    expect(lines[2].split(/\s+/)).toEqual([
      '1',
      'Ready',
      '5',
      expect.stringMatching(/s$/),
      '-',
      '15',
    ]);
    const json = await cli(['--json', 'pods', ns, 'game'], env());
    const parsed = JSON.parse(json.stdout) as {
      pods: { podId: number; load: number; ageMs: number }[];
    };
    expect(parsed.pods.map((pod) => [pod.podId, pod.load])).toEqual([
      [0, 3],
      [1, 5],
    ]);
    expect(parsed.pods[0].ageMs).toBeLessThan(30_000);
    const services = await cli(['services'], env());
    const rows = services.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(rows).toEqual([
      ['NAMESPACE', 'SERVICE'],
      [ns, 'game'],
    ]);
  });

  it("user: the user's links with persistence, TTL and epoch", async () => {
    await seed();
    const { code, stdout } = await cli(['user', ns, 'u1', '--service', 'game', 'chat'], env());
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(rows[0]).toEqual(['SERVICE', 'POD', 'PERSISTENT', 'TTL', 'EPOCH']);
    expect(rows[1]).toEqual([
      'chat',
      '4',
      'no',
      expect.stringMatching(/^(59\d|600)\.\ds$/),
      expect.stringMatching(/^\d{16}$/),
    ]);
    expect(rows[2]).toEqual(['game', '1', 'yes', '-', expect.stringMatching(/^\d{16}$/)]);
    const json = JSON.parse((await cli(['--json', 'user', ns, 'nobody'], env())).stdout) as unknown;
    expect(json).toEqual({ namespace: ns, uid: 'nobody', links: [] });
  });

  it('drain, ready, release and forget act, and say what they did', async () => {
    await seed();
    expect((await cli(['drain', ns, 'game', '1'], env())).stdout.trim()).toBe(
      `pod 1 of ${ns}/game is Draining`,
    );
    await expect(bed.executor.getServicePodState(ns, 'game', 1)).resolves.toBe('Draining');
    const released = await cli(['--json', 'release', ns, 'game', '1'], env());
    expect(JSON.parse(released.stdout)).toEqual({
      namespace: ns,
      service: 'game',
      podId: 1,
      released: 15,
    });
    expect(released.stderr).toBe(''); // progress goes to a terminal only
    expect(await bed.executor.getLinkedPod(ns, 'u1', 'game')).toBeNull();
    expect(await bed.executor.getLinkedPod(ns, 'u1', 'chat')).toBe(4);
    expect((await cli(['ready', ns, 'game', '1'], env())).code).toBe(0);
    await expect(bed.executor.getServicePodState(ns, 'game', 1)).resolves.toBe('Ready');
    expect((await cli(['forget', ns, 'game', '1'], env())).stdout.trim()).toBe(
      `forgot pod 1 of ${ns}/game`,
    );
    expect((await cli(['forget', ns, 'game', '1'], env())).stdout.trim()).toBe(
      `pod 1 of ${ns}/game was not known`,
    );
    expect([...(await bed.executor.getServiceState(ns, 'game')).keys()]).toEqual([0]);
  });

  it('bad usage or input: exit 1 naming the argument, and Redis untouched', async () => {
    await seed();
    const before = await bed.keys();
    const cases: [string[], RegExp][] = [
      [['drain', ns, 'game', 'x'], /argument 'pod'.*integer from 0/],
      [['drain', ns, 'ga me', '1'], /Invalid argument serviceName/],
      [['pods', keys.layout === 'go' ? 'a:b' : 'prod', 'game'], /Invalid argument namespace/],
      [['user', ns, 'a{b'], /Invalid argument uid/],
      [['release', ns, 'game', '1', '--persist-seconds', '0'], /persist-seconds/],
      [['nope'], /unknown command 'nope'/],
      [['pods', ns], /missing required argument 'svc'/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args, env());
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    expect(await bed.keys()).toEqual(before);
  });
});

describe('stateful-redis CLI: environment and Redis', () => {
  it('validates REDIS_* as the service does: exit 1 naming the variable', async () => {
    const run = await cli(['pods', 'prod', 'game'], { REDIS_URL: 'redis://127.0.0.1:notaport' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Invalid environment variable REDIS_URL/);
  });

  it('exit 2 when Redis cannot be reached, saying where to set it', async () => {
    const port = await freePort();
    const run = await cli(['pods', 'prod', 'game'], {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_CONNECT_TIMEOUT_MS: '300',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Redis unavailable.*REDIS_URL/);
  });

  it('--help lists the commands and exits 0', async () => {
    const run = await cli(['--help'], {});
    expect(run.code).toBe(0);
    for (const command of ['pods', 'user', 'drain', 'ready', 'release', 'forget']) {
      expect(run.stdout).toContain(command);
    }
  });
});

describe('stateful-redis CLI on a terminal', () => {
  const bed = useTestbed('standalone');

  it('shows the progress of a long release', async () => {
    for (let i = 0; i < 3_000; i++) await bed.executor.setLinkedPod('prod', `p${i}`, 'game', 2, -1);
    // `script` gives the CLI a terminal, as an operator's shell does.
    const command = `${process.execPath} ${bin} release prod game 2`;
    const { stdout } = await execFileAsync('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: bed.server!.url, TERM: 'dumb' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/released [1-9]\d* users of pod 2\.\.\./);
    expect(stdout).toContain('released 3000 users of pod 2 of prod/game');
  });
});
