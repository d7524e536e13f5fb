import { createHash } from 'crypto';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { LuaScript } from './lua-script';

/**
 * `lua/` at the package root: two levels up from `src/scripts` and `dist/scripts`, three from a
 * build that keeps the `src/` level (the benchmark's).
 */
export const LUA_SCRIPTS_DIR =
  [join(__dirname, '..', '..', 'lua'), join(__dirname, '..', '..', '..', 'lua')].find((dir) =>
    existsSync(dir),
  ) ?? join(__dirname, '..', '..', 'lua');

const SCRIPT_FILE = /^([A-Za-z][A-Za-z0-9]*)-(\d+)\.lua$/;
const INCLUDE_LINE = /^--- @include "([A-Za-z0-9/_-]+)"\s*$/gm;

/**
 * Reads every `<name>-<numberOfKeys>.lua` of a folder. Lines `--- @include "includes/x"` are
 * replaced by `includes/x.lua` (shared helpers, as BullMQ does), so each script sent to Redis is
 * self-contained and its SHA1 covers what actually runs.
 */
export function loadLuaScripts(dir: string = LUA_SCRIPTS_DIR): LuaScript[] {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.lua'))
    .map((entry) => entry.name)
    .sort();
  return files.map((file) => {
    const match = SCRIPT_FILE.exec(file);
    if (!match) {
      throw new Error(`Lua script file ${file} must be named <name>-<numberOfKeys>.lua`);
    }
    const lua = expandIncludes(readFileSync(join(dir, file), 'utf8'), dir, file);
    return {
      name: match[1],
      numberOfKeys: Number(match[2]),
      lua,
      sha1: createHash('sha1').update(lua).digest('hex'),
    };
  });
}

function expandIncludes(source: string, dir: string, file: string): string {
  return source.replace(INCLUDE_LINE, (_line, include: string) => {
    try {
      return readFileSync(join(dir, `${include}.lua`), 'utf8').trimEnd();
    } catch (error) {
      throw new Error(`${file} includes ${include}, which cannot be read`, { cause: error });
    }
  });
}
