import { execFile, spawn, type ChildProcess } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { freePort, isPortFree, RedisServer } from './support/redis-server';
import { waitUntil } from './support/wait-until';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

/** The service as its users run it: `npm start` and `node dist/service/main.js`, as processes. */
describe('the service process', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
    await run('npm', ['run', 'build'], { cwd: ROOT });
  }, 120_000);
  afterAll(() => redis.destroy());

  /** Runs `node dist/service/main.js` until it exits, with only `env` set (no .env leaks in). */
  async function startFails(env: Record<string, string>) {
    const result = await run(process.execPath, ['dist/service/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    return { code: result.code, lines: result.stderr.trim().split('\n') };
  }

  it.each([
    [
      { REDIS_URL: 'redis://127.0.0.1:notaport' },
      /^Invalid environment variable REDIS_URL: is not a valid URL/,
    ],
    [
      { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' },
      /^Invalid environment variable REDIS_CLUSTER_NODES: cannot be combined with REDIS_URL/,
    ],
    [
      { API_TOKEN: 'a token with spaces' },
      /^Invalid environment variable API_TOKEN: must be 16 to 256 visible ASCII/,
    ],
    [
      { PORT: 'not-a-port' },
      /^Invalid environment variable PORT: must be an integer from 0 to 65535$/,
    ],
    [
      { REDIS_KEY_LAYOUT: 'java', REDIS_URL: '', REDIS_CLUSTER_NODES: '127.0.0.1:7000' },
      /^Invalid environment variable REDIS_KEY_LAYOUT: java needs a single Redis/,
    ],
    [
      { REDIS_KEY_LAYOUT: 'Java' },
      /^Invalid environment variable REDIS_KEY_LAYOUT: must be go or java$/,
    ],
    [
      { API_TOKENS_FILE: '/nonexistent/tokens.json' },
      /^Invalid environment variable API_TOKENS_FILE: cannot read the file \/nonexistent\/tokens.json$/,
    ],
  ])('refuses %j with one line naming the variable', async (env, line) => {
    const { code, lines } = await startFails(env);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('a port in use stops the start with one line, and no "successfully started" before it', async () => {
    const result = await run(process.execPath, ['dist/service/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: redis.url,
        PORT: String(redis.port),
        HOST: '127.0.0.1',
      },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Cannot listen on 127\.0\.0\.1:\d+: listen EADDRINUSE/m);
    expect(result.stdout).not.toContain('successfully started');
  });

  it('"No available pod" is a warning, one line a second per service, however many requests get it', async () => {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, ['dist/service/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: redis.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitUntil(
        () => isPortFree(port).then((free) => !free),
        'the service to listen',
        30_000,
      );
      const started = Date.now();
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`http://127.0.0.1:${port}/v1/namespaces/prod/services/nopods/route?uid=u${i}`),
          ),
        );
        expect(answers.every((answer) => answer.status === 503)).toBe(true);
      }
      const seconds = Math.ceil((Date.now() - started) / 1_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = output
        .split('\n')
        .filter((line) => line.includes('No available pod'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      // 500 answers, at most one line per second they took (and one for the second it started in).
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(seconds + 1);
      expect(lines.every((line) => line.level === 40)).toBe(true);
      expect(lines[0].msg).toMatch(/^No available pod for service nopods in namespace prod: /);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses a database Redis does not have with one line naming REDIS_URL, writing nothing', async () => {
    const { code, lines } = await startFails({
      REDIS_URL: `${redis.url}/99`,
      PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^Invalid environment variable REDIS_URL: Redis refused database 99 /),
    ]);
    expect((await redis.command('DBSIZE')).trim()).toBe('0');
  });

  describe('npm start', () => {
    let npm: ChildProcess;
    let port: number;
    let output = '';

    beforeAll(async () => {
      port = await freePort();
      npm = spawn('npm', ['start'], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/tmp',
          PORT: String(port),
          HOST: '127.0.0.1',
          REDIS_URL: redis.url,
          LOG_REQUESTS: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitUntil(
        () => Promise.resolve(output.includes('Listening on')),
        'the listening line',
        60_000,
      );
    }, 90_000);
    afterAll(() => {
      if (npm.exitCode === null) npm.kill('SIGKILL');
    });

    it('logs one line with the address it listens on', () => {
      const lines = output.split('\n').filter((line) => line.includes('Listening on'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ msg: `Listening on http://127.0.0.1:${port}` });
      // Nest's "successfully started" would come before the port is bound: "Listening on" says it.
      expect(output).not.toContain('successfully started');
    });

    it('stamps each start-up line with the time of its event, not of a flush', () => {
      const entries = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { time: number; msg: string });
      const starting = entries.find((entry) => entry.msg.startsWith('Starting Nest application'))!;
      const mapped = entries.filter((entry) => entry.msg.startsWith('Mapped {'));
      expect(mapped.length).toBeGreaterThan(10);
      // Module init (the Redis connection, the scripts) lies between them.
      expect(mapped[mapped.length - 1].time).toBeGreaterThan(starting.time);
    });

    it('keeps credentials out of the request log lines', async () => {
      const secrets = {
        authorization: 'Bearer secret-authorization-value',
        'proxy-authorization': 'Basic secret-proxy-value',
        cookie: 'session=secret-cookie-value',
        'x-api-key': 'secret-api-key-value',
      };
      const response = await fetch(`http://127.0.0.1:${port}/v1/namespaces/prod/users/u1/links`, {
        headers: secrets,
      });
      expect(response.status).toBe(200);
      await waitUntil(
        () => Promise.resolve(output.includes('"statusCode":200')),
        'the request log line',
        5_000,
      );
      const line = output
        .split('\n')
        .find((entry) => entry.includes('/v1/namespaces/prod/users/u1/links'));
      expect(line).toBeDefined();
      expect(line).not.toMatch(/secret/);
      expect((JSON.parse(line!) as { req: { headers: unknown } }).req.headers).toMatchObject({
        authorization: '[redacted]',
        'proxy-authorization': '[redacted]',
        cookie: '[redacted]',
        'x-api-key': '[redacted]',
      });
      // A token a client put in the query string is censored in `url` and `query` too.
      await fetch(
        `http://127.0.0.1:${port}/v1/namespaces/prod/users/u2/links?access_token=secret-query-value&api_key=secret-key-value&uid=u2`,
      );
      await waitUntil(
        () => Promise.resolve(output.includes('/users/u2/links')),
        'the second request log line',
        5_000,
      );
      const queried = output.split('\n').find((entry) => entry.includes('/users/u2/links'))!;
      expect(queried).not.toMatch(/secret/);
      const logged = (JSON.parse(queried) as { req: { url: string; query: unknown } }).req;
      expect(logged.url).toBe(
        '/v1/namespaces/prod/users/u2/links?access_token=[redacted]&api_key=[redacted]&uid=u2',
      );
      expect(logged.query).toEqual({
        access_token: '[redacted]',
        api_key: '[redacted]',
        uid: 'u2',
      });
    });

    it('SIGTERM to npm stops the service itself: no node process is left serving', async () => {
      const exited = new Promise<number | null>((resolve) =>
        npm.once('exit', (code) => resolve(code)),
      );
      npm.kill('SIGTERM');
      await exited;
      await waitUntil(() => isPortFree(port), 'the port to be released', 10_000);
      expect(await isPortFree(port)).toBe(true);
      expect(output).toMatch(/"msg":"Shutting down on SIGTERM: readiness answers 503/);
    }, 20_000);
  });
});
