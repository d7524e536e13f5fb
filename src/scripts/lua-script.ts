/** One Lua script of `lua/`, ready to register: `<name>-<numberOfKeys>.lua` with its includes expanded. */
export interface LuaScript {
  readonly name: string;
  readonly numberOfKeys: number;
  readonly lua: string;
  /** SHA1 of `lua`, the name Redis knows the script by (EVALSHA, SCRIPT EXISTS). */
  readonly sha1: string;
}
