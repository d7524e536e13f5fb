import { execFile, spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { promisify } from 'util';
import { registerServerPid } from './server-registry';
import { waitUntil } from './wait-until';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * A private `redis-server` on a free loopback port, for one test file. Tests never use the
 * machine's shared instance: each server keeps nothing on disk and is killed when the file ends.
 */
export class RedisServer {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'stateful-redis-'));

  private constructor(
    readonly port: number,
    private readonly args: (dir: string) => string[],
    private readonly readyLine = 'Ready to accept connections',
  ) {}

  /** A data server; `extraArgs` come last and so override the defaults (e.g. `--port 0` for TLS only). */
  static async start(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
    const chosen = port ?? (await freePort());
    const server = new RedisServer(chosen, (dir) => [
      '--port',
      String(chosen),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      ...extraArgs,
    ]);
    await server.launch();
    return server;
  }

  /** A replica of `master`, once it is in sync with it (`extraArgs` as for `start`). */
  static async startReplica(master: RedisServer, extraArgs: string[] = []): Promise<RedisServer> {
    const replica = await RedisServer.start([
      '--replicaof',
      '127.0.0.1',
      String(master.port),
      ...extraArgs,
    ]);
    await replica.waitUntilReplicating();
    return replica;
  }

  /** Waits until this replica's link to its master is up (after a start, a thaw or a restart). */
  async waitUntilReplicating(): Promise<void> {
    await waitUntil(
      async () => (await this.command('INFO', 'replication')).includes('master_link_status:up'),
      `replica ${this.port} in sync with its master`,
    );
  }

  /** A Sentinel watching `masterName` at `masterPort` alone (quorum 1), quick to declare it down. */
  static async startSentinel(masterName: string, masterPort: number): Promise<RedisServer> {
    const port = await freePort();
    const server = new RedisServer(
      port,
      (dir) => {
        const config = join(dir, 'sentinel.conf');
        writeFileSync(
          config,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
            `sentinel down-after-milliseconds ${masterName} 1000`,
            `sentinel failover-timeout ${masterName} 5000`,
            '',
          ].join('\n'),
        );
        return [config, '--sentinel'];
      },
      '+monitor master',
    );
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  /** Starts the process again on the same port (after `stop`), as a restarted Redis would. */
  async launch(): Promise<void> {
    const child = spawn('redis-server', this.args(this.dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    live.add(child);
    registerServerPid(child.pid);
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${output}`)),
        10_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(this.readyLine)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
  }

  /** Kills the process (SIGKILL: nothing is saved, as in a crash) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    live.delete(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** SIGSTOP: the process stays, its sockets stay open, it answers nothing (a hung server). */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** SIGCONT after `freeze`. */
  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** Runs one command through redis-cli (no client library involved) and returns its output. */
  async command(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(this.port), ...args]);
    return stdout;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const run = promisify(execFile);
const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
