#!/usr/bin/env node
// The consumer check: packs the library as npm would publish it, installs the tarball into small
// NestJS 12 and NestJS 11 apps (ESM and CommonJS where they differ) without any npm flag, builds
// each with strict tsc (the README's TypeScript snippets included) and runs it against a private
// redis-server: the executor, both health indicators and the error filter must work.
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const only = process.argv.slice(2);

const common = { 'reflect-metadata': '^0.2.2', rxjs: '^7.8.2', '@types/node': '^20.19.0' };
const nest12 = {
  ...common,
  '@nestjs/common': '^12.0.0',
  '@nestjs/core': '^12.0.0',
  '@nestjs/platform-express': '^12.0.0',
  '@nestjs/terminus': '^12.0.0',
  '@nestjs/config': '^12.0.0',
  typescript: '~6.0.3',
};
const nest11 = {
  ...common,
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
  '@nestjs/terminus': '^11.0.0',
  '@nestjs/config': '^4.0.0',
  typescript: '~5.9.3',
};
const strict = {
  strict: true,
  noImplicitOverride: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  target: 'ES2022',
  outDir: 'dist',
  rootDir: 'src',
  skipLibCheck: false,
  types: ['node'],
};
const variants = {
  // NestJS 12 ships ES modules only: an ESM app, and a CommonJS app that requires them (Node 20.19+).
  'nest12-esm': {
    deps: nest12,
    type: 'module',
    compiler: { module: 'nodenext', moduleResolution: 'nodenext' },
  },
  'nest12-cjs': {
    deps: nest12,
    type: 'commonjs',
    compiler: { module: 'node20', moduleResolution: 'node16' },
  },
  // NestJS 11 as its CLI generated apps: CommonJS with classic resolution.
  'nest11-cjs': {
    deps: nest11,
    type: 'commonjs',
    compiler: { module: 'commonjs', moduleResolution: 'node', esModuleInterop: true },
  },
};

function run(command, args, cwd, env = {}) {
  return execFileSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The ```ts blocks of README.md and docs/, each a module of its own, compiled as users copy them. */
function readmeSnippets() {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).map((file) => join('docs', file))];
  return pages
    .filter((page) => page.endsWith('.md'))
    .flatMap((page) => [
      ...readFileSync(join(root, page), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g),
    ])
    .map((match) => match[1]);
}

const work = mkdtempSync(join(tmpdir(), 'consumer-check-'));
const port = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  {
    stdio: 'ignore',
  },
);
let failed = false;
try {
  const packed = run('npm', ['pack', '--silent', '--pack-destination', work], root)
    .trim()
    .split('\n')
    .pop();
  const tarball = join(work, packed);
  const contents = run('tar', ['-tzf', tarball], work).trim().split('\n');
  const shipped = (path) => contents.includes(`package/${path}`);
  const unwanted = contents.filter((path) =>
    /^package\/(dist\/service\/|src\/|test\/|bench\/)|\.map$|\.spec\./.test(path),
  );
  if (unwanted.length > 0)
    throw new Error(`the package ships what users do not need: ${unwanted.join(', ')}`);
  for (const needed of [
    'dist/index.js',
    'dist/index.d.ts',
    'LICENSE',
    'README.md',
    'docs/operations.md',
    'lua/statefulSetLink-3.lua',
  ]) {
    if (!shipped(needed)) throw new Error(`the package lacks ${needed}`);
  }
  console.log(`packed ${packed}: ${contents.length} files, no service files, no source maps`);
  const snippets = readmeSnippets();
  for (const [name, variant] of Object.entries(variants)) {
    if (only.length > 0 && !only.includes(name)) continue;
    const dir = join(work, name);
    mkdirSync(join(dir, 'src', 'readme'), { recursive: true });
    cpSync(join(here, 'app', 'main.ts'), join(dir, 'src', 'main.ts'));
    snippets.forEach((code, index) =>
      writeFileSync(join(dir, 'src', 'readme', `snippet-${index + 1}.ts`), code),
    );
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify(
        {
          name: `consumer-${name}`,
          private: true,
          type: variant.type,
          dependencies: { ...variant.deps, 'nest-stateful-redis': `file:${tarball}` },
        },
        null,
        2,
      ),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify(
        { compilerOptions: { ...strict, ...variant.compiler }, include: ['src'] },
        null,
        2,
      ),
    );
    const step = (what, fn) => {
      try {
        return fn();
      } catch (error) {
        throw new Error(
          `${name}: ${what} failed\n${error.stdout ?? ''}${error.stderr ?? error.message}`,
        );
      }
    };
    step('npm install (no flags)', () =>
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir),
    );
    const versions = JSON.parse(
      run(
        'npm',
        ['ls', '@nestjs/common', '@nestjs/terminus', 'typescript', '--json', '--depth=0'],
        dir,
      ),
    ).dependencies;
    step('strict tsc', () => run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', '.'], dir));
    const output = step('running the app', () =>
      run(process.execPath, ['dist/main.js'], dir, { REDIS_URL: `redis://127.0.0.1:${port}` }),
    );
    if (!output.includes('consumer ok'))
      throw new Error(`${name}: the app did not finish: ${output}`);
    // The package's bin, as npm installed it: the app above wrote a pod; the CLI must list it.
    const pods = step('the stateful-redis bin', () =>
      run(
        join(dir, 'node_modules', '.bin', 'stateful-redis'),
        ['--json', 'pods', 'prod', 'game'],
        dir,
        {
          REDIS_URL: `redis://127.0.0.1:${port}`,
        },
      ),
    );
    if (JSON.parse(pods).pods.length === 0)
      throw new Error(`${name}: stateful-redis pods did not list pods: ${pods}`);
    run('redis-cli', ['-p', String(port), 'FLUSHALL'], dir);
    console.log(
      `${name}: installed, strict tsc (${snippets.length} documentation snippets), ran: ok, bin ok ` +
        `(@nestjs/common ${versions['@nestjs/common'].version}, @nestjs/terminus ${versions['@nestjs/terminus'].version}, typescript ${versions.typescript.version})`,
    );
  }
} catch (error) {
  failed = true;
  console.error(error.message);
} finally {
  redis.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
