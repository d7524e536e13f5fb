import { spawn, type ChildProcess } from 'child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { connect } from 'net';
import { freePort } from '../redis-server';

/**
 * The gateway configurations the docs show, run as they are (deploy/gateways): three levels up
 * from test/support/gateways, four from the benchmark's build of it (.bench-build/test/...).
 */
export const GATEWAYS_DIR =
  [3, 4]
    .map((up) => resolve(__dirname, ...Array<string>(up).fill('..'), 'deploy', 'gateways'))
    .find((dir) => existsSync(dir)) ?? resolve(__dirname, '..', '..', '..', 'deploy', 'gateways');

export type ProxyKind = 'nginx' | 'haproxy' | 'caddy';

/** What every configuration reads from its environment (the docs list the same). */
export interface GatewayEnvironment {
  STORE_ADDRESS: string;
  ROUTE_TOKEN: string;
  STATEFUL_NAMESPACE: string;
  STATEFUL_SERVICE: string;
}

/** A real proxy on a free loopback port, started with the configuration file of deploy/gateways. */
export interface RunningProxy {
  kind: ProxyKind;
  port: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `kind` with its configuration of deploy/gateways; `nginxServer`, for the benchmark's
 * baseline, runs another nginx server block (with the same ${...} variables) in its place.
 */
export async function startProxy(
  kind: ProxyKind,
  env: GatewayEnvironment,
  nginxServer?: string,
): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), `stateful-${kind}-`));
  const port = await freePort();
  const variables: Record<string, string> = { ...env, GATEWAY_PORT: String(port) };
  if (kind === 'haproxy') variables.ROUTE_LOOPBACK_PORT = String(await freePort());
  const { command, args } = PREPARE[kind](dir, variables, nginxServer);
  const output: string[] = [];
  const child = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, ...variables, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} did not start:\n${output.join('')}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    kind,
    port,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      stopProcess(child);
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function stopProcess(child: ChildProcess): void {
  if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 3_000).unref();
}

type Prepare = (
  dir: string,
  variables: Record<string, string>,
  nginxServer?: string,
) => { command: string; args: string[] };

const PREPARE: Record<ProxyKind, Prepare> = {
  // As the nginx image does at start: ${VAR} of the template filled in from the environment, the
  // result included in the http block. The main file only holds what the image's own has.
  nginx: (dir, variables, nginxServer) => {
    const template =
      nginxServer ?? readFileSync(join(GATEWAYS_DIR, 'nginx', 'default.conf.template'), 'utf8');
    writeFileSync(join(dir, 'default.conf'), fillIn(template, variables));
    for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      mkdirSync(join(dir, temp));
    }
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        'worker_processes 1;',
        'daemon off;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(dir, 'error.log')} warn;`,
        'events { worker_connections 1024; }',
        'http {',
        '  access_log off;',
        `  client_body_temp_path ${join(dir, 'client_body')};`,
        `  proxy_temp_path ${join(dir, 'proxy')};`,
        `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
        `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
        `  scgi_temp_path ${join(dir, 'scgi')};`,
        `  include ${join(dir, 'default.conf')};`,
        '}',
      ].join('\n'),
    );
    return { command: 'nginx', args: ['-p', dir, '-c', join(dir, 'nginx.conf')] };
  },
  // HAProxy and Caddy read the variables themselves: their files are copied as they are.
  haproxy: (dir) => {
    for (const file of ['haproxy.cfg', 'stateful-route.lua']) {
      copyFileSync(join(GATEWAYS_DIR, 'haproxy', file), join(dir, file));
    }
    return { command: 'haproxy', args: ['-db', '-f', join(dir, 'haproxy.cfg')] };
  },
  caddy: (dir) => {
    copyFileSync(join(GATEWAYS_DIR, 'caddy', 'Caddyfile'), join(dir, 'Caddyfile'));
    return {
      command: 'caddy',
      args: ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
    };
  },
};

/** `${NAME}` replaced for the given names only (nginx's own `$variables` stay), as envsubst does. */
export function fillIn(template: string, variables: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (whole, name: string) =>
    Object.hasOwn(variables, name) ? variables[name] : whole,
  );
}
