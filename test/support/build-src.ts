import { execFileSync } from 'child_process';
import { createRequire } from 'module';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');

/**
 * Compiles this checkout's src/ into .test-build/<name> (not dist/, which another suite builds at
 * the same time), for tests that run it as separate processes. Lua scripts are found from there as
 * from dist/: three levels up, in lua/. Returns the directory.
 */
export function buildSrc(name: string): string {
  const dir = join(ROOT, '.test-build', name);
  const tsc = createRequire(__filename).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', dir], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  return dir;
}
