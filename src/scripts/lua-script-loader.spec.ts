import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { LUA_SCRIPTS_DIR, loadLuaScripts } from './lua-script-loader';

describe('loadLuaScripts', () => {
  const scripts = loadLuaScripts();

  it('finds every script of lua/ with its number of keys', () => {
    expect(Object.fromEntries(scripts.map((s) => [s.name, s.numberOfKeys]))).toEqual({
      statefulComputeLinkIfAbsent: 3,
      statefulCountPlacement: 3,
      statefulGetLink: 2,
      statefulGetLinkIfPersist: 1,
      statefulGetPodLoads: 3,
      statefulMoveLink: 3,
      statefulRemoveLink: 3,
      statefulRemoveLinkWithId: 3,
      statefulRemoveServicePod: 3,
      statefulReportPodLoad: 1,
      statefulReportPodStatus: 3,
      statefulSetLink: 3,
      statefulSetLinkIfAbsent: 3,
      statefulSetPodState: 3,
      statefulTrySetLink: 3,
    });
  });

  it.each(scripts.map((s) => [s.name, s] as const))(
    '%s documents each KEYS[i], ARGV[i] and its output',
    (_name, script) => {
      const file = readFileSync(
        join(LUA_SCRIPTS_DIR, `${script.name}-${script.numberOfKeys}.lua`),
        'utf8',
      );
      const header = file.slice(0, file.indexOf(']]'));
      for (let i = 1; i <= script.numberOfKeys; i++) expect(header).toContain(`KEYS[${i}]`);
      const argvUsed = new Set([...file.matchAll(/ARGV\[(\d)\]/g)].map((m) => m[1]));
      for (const i of argvUsed) expect(header).toContain(`ARGV[${i}]`);
      expect(header).toContain('Output:');
    },
  );

  it('expands includes and hashes what runs', () => {
    const setLink = scripts.find((s) => s.name === 'statefulSetLink')!;
    expect(setLink.lua).toContain('local function writeLink');
    expect(setLink.lua).not.toContain('@include');
    expect(setLink.sha1).toBe(createHash('sha1').update(setLink.lua).digest('hex'));
  });

  describe('with a folder of its own', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'lua-'));
      mkdirSync(join(dir, 'includes'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('rejects a file not named <name>-<numberOfKeys>.lua', () => {
      writeFileSync(join(dir, 'noKeys.lua'), 'return 1');
      expect(() => loadLuaScripts(dir)).toThrow('must be named <name>-<numberOfKeys>.lua');
    });

    it('rejects a missing include', () => {
      writeFileSync(join(dir, 'x-0.lua'), '--- @include "includes/missing"\nreturn 1');
      expect(() => loadLuaScripts(dir)).toThrow('includes includes/missing');
    });
  });
});
