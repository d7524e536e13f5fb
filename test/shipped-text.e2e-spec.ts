import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..');

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, keep);
    return keep(path) ? [path] : [];
  });
}

/**
 * What users get (the repository's docs, the npm package's docs and `.d.ts` comments, the Lua
 * scripts, the deploy files) names the project's own documents: users have no specification file
 * and no issue tracker of ours to follow a "SPEC §6" or "the benchmark issue" to.
 */
describe('the shipped text', () => {
  it('cites no specification section and no issue', () => {
    const shipped = [
      ...['README.md', 'BENCHMARKS.md', '.env.example'].map((name) => join(ROOT, name)),
      ...filesUnder(join(ROOT, 'docs'), (path) => path.endsWith('.md')),
      ...filesUnder(
        join(ROOT, 'src'),
        (path) => path.endsWith('.ts') && !path.endsWith('.spec.ts'),
      ),
      ...filesUnder(join(ROOT, 'lua'), (path) => path.endsWith('.lua')),
      ...filesUnder(join(ROOT, 'deploy'), () => true),
      ...filesUnder(join(ROOT, 'bench'), (path) => /\.(ts|md)$/.test(path)),
    ];
    expect(shipped.length).toBeGreaterThan(100);
    const citations = shipped.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, at: `${relative(ROOT, path)}:${index + 1}` }))
        .filter(({ line }) => /\bSPEC\b|§\s?\d|benchmark issue/.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(citations).toEqual([]);
  });
});
