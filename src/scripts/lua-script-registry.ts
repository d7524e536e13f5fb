import { Logger, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { StatefulValidationError, translateRedisError } from '../errors';
import type { RedisClient, RedisConnectionPool } from '../redis/redis-connection-pool';
import { sendCommand } from '../redis/send-command';
import type { WritePath } from '../redis/write-path';
import type { LuaScript } from './lua-script';

/** Turns a script's raw reply into its result; throws MalformedReplyError on a reply of the wrong shape. */
export type ReplyParser<T> = (reply: unknown) => T | Promise<T>;

/** Scripts that never write: they never take the write path. */
const READ_ONLY_SCRIPTS = new Set([
  'statefulGetLinkIfPersist',
  'statefulGetLink',
  'statefulGetPodLoads',
]);

/**
 * Scripts whose writes need no replica's confirmation: a placement count is advisory (a lost one
 * only makes a pod look less loaded until its next report), and a WAIT for it would hold the
 * connection of the calls behind it.
 */
const UNCONFIRMED_SCRIPTS = new Set(['statefulCountPlacement']);

/**
 * Replies that show a writing script wrote nothing this time: the write path has nothing to do
 * after them (computeLinkedPod's first step finding no link, before it places the user).
 */
const WROTE_NOTHING: Readonly<Record<string, (reply: unknown) => boolean>> = {
  statefulComputeLinkIfAbsent: (reply) => reply === null,
};

/** Scripts missing from a server's script cache, per server; empty when all are loaded. */
export interface LuaScriptsStatus {
  loaded: boolean;
  missing: { node: string; scripts: string[] }[];
}

/**
 * Every script of `lua/`, registered once per client with ioredis `defineCommand` (so a client's
 * users can call them by name, in pipelines too). `run` sends EVALSHA itself rather than through
 * the defined command: ioredis' Script path wraps every call in a second promise and a per-socket
 * check, which cost 6% of throughput in `npm run bench`. On NOSCRIPT (Redis restart, SCRIPT FLUSH,
 * a new Cluster master) `run` sends the body with EVAL to the same slot, which also caches it there,
 * so callers never see NOSCRIPT. `loadAll` preloads every master at start.
 */
export class LuaScriptRegistry implements OnModuleInit {
  private readonly logger = new Logger(LuaScriptRegistry.name);
  private readonly byName: ReadonlyMap<string, LuaScript>;
  private reloadCount = 0;
  private fallbackCount = 0;
  private writes?: WritePath;
  /** Whether the servers take EVALSHA_RO / EVAL_RO (Redis 7+); false once one said it does not. */
  private readOnlyCommands = true;

  constructor(
    private readonly pool: RedisConnectionPool,
    scripts: readonly LuaScript[],
  ) {
    this.byName = new Map(scripts.map((script) => [script.name, script]));
    for (const client of pool.clients) {
      for (const script of scripts) {
        // A user's own client may already carry the command (two modules sharing it).
        if (typeof (client as unknown as Record<string, unknown>)[script.name] === 'function')
          continue;
        client.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
      }
    }
  }

  /**
   * From now on every script that writes goes through `path` (StatefulModule's `durability`
   * hands in ConfirmedWrites, which resolves once replicas have the write); reads do not.
   */
  sendWritesThrough(path: WritePath): void {
    this.writes = path;
  }

  /** The write path scripts take, for plain writes to take it too (`writeCommand`). */
  get writePath(): WritePath | undefined {
    return this.writes;
  }

  get scripts(): LuaScript[] {
    return [...this.byName.values()];
  }

  /** The SHA1 Redis knows the script by. */
  sha1(name: string): string {
    return this.get(name).sha1;
  }

  /**
   * Runs a script on the next pooled client and hands the reply to `parse`; Redis errors come back
   * as the library's typed errors, after `onError` has seen them. Not `async` and one `then` for reply and error alike: this is the
   * hot path, and every promise fewer per call shows in `npm run bench`.
   */
  run(name: string, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
  run<T>(
    name: string,
    keys: readonly string[],
    args: readonly (string | number)[],
    parse: ReplyParser<T>,
    onError?: (error: unknown, keys: readonly string[]) => void,
  ): Promise<T>;
  run<T>(
    name: string,
    keys: readonly string[],
    args: readonly (string | number)[],
    parse?: ReplyParser<T>,
    onError?: (error: unknown, keys: readonly string[]) => void,
  ): Promise<unknown> {
    const script = this.byName.get(name);
    if (script === undefined) return Promise.reject(new Error(`Unknown Lua script ${name}`));
    if (keys.length !== script.numberOfKeys) {
      return Promise.reject(
        new Error(`${name} takes ${script.numberOfKeys} keys, got ${keys.length}`),
      );
    }
    if (
      this.writes !== undefined &&
      !READ_ONLY_SCRIPTS.has(name) &&
      !UNCONFIRMED_SCRIPTS.has(name)
    ) {
      const written = this.runThrough(this.writes, script, keys, args).then(parse);
      if (onError === undefined) return written;
      return written.catch((error: unknown) => {
        onError(error, keys);
        throw error;
      });
    }
    const client = this.pool.next();
    // A read runs as EVALSHA_RO where the server has it (Redis 7): Redis holds every EVALSHA during
    // a write pause (CLIENT PAUSE WRITE, as failovers use), but lets read-only scripts through.
    const readOnly = this.readOnlyCommands && READ_ONLY_SCRIPTS.has(name);
    return sendCommand(client, readOnly ? 'evalsha_ro' : 'evalsha', [
      script.sha1,
      script.numberOfKeys,
      ...keys,
      ...args,
    ]).then<T, T>(parse, (error: unknown) => {
      const retried = this.evalAfterNoScript(error, client, script, keys, args, readOnly).then(
        parse,
      );
      // `onError` sees the final failure; it costs nothing on the way that succeeds.
      if (onError === undefined) return retried;
      return retried.catch((final: unknown) => {
        onError(final, keys);
        throw final;
      });
    });
  }

  /** The script through the write path; again with its body if the server lost it. */
  private async runThrough(
    path: WritePath,
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    const send = (command: 'evalsha' | 'eval') =>
      path.send(
        script.name,
        command,
        [command === 'evalsha' ? script.sha1 : script.lua, script.numberOfKeys, ...keys, ...args],
        keys[0],
        WROTE_NOTHING[script.name],
      );
    try {
      return await send('evalsha').catch((error: unknown) => {
        if (!isNoScript(error)) throw error;
        this.fallbackCount++;
        return send('eval');
      });
    } catch (error) {
      throw translateRedisError(error, script.name);
    }
  }

  /**
   * The script's body by EVAL (EVAL_RO for a read) when the server lost it (NOSCRIPT); a read again
   * with EVALSHA when the server has no EVALSHA_RO (before Redis 7), which is then never tried again;
   * any other error is translated.
   */
  private async evalAfterNoScript(
    error: unknown,
    client: RedisClient,
    script: LuaScript,
    keys: readonly string[],
    args: readonly (string | number)[],
    readOnly = false,
  ): Promise<unknown> {
    if (readOnly && isUnknownCommand(error)) {
      this.readOnlyCommands = false;
      this.logger.warn(
        'Redis has no EVALSHA_RO (before 7.0): reads run as EVALSHA, which a write pause holds',
      );
      return this.run(script.name, keys, args);
    }
    if (!isNoScript(error)) throw translateRedisError(error, script.name);
    this.fallbackCount++;
    try {
      return await sendCommand(client, readOnly ? 'eval_ro' : 'eval', [
        script.lua,
        script.numberOfKeys,
        ...keys,
        ...args,
      ]);
    } catch (evalError) {
      throw translateRedisError(evalError, script.name);
    }
  }

  /**
   * Preloads the scripts, waiting up to `connectTimeoutMs` for Redis. Redis being away is not
   * fatal (the app may start first: scripts load on first use and health reports it); Redis
   * refusing the configuration (a database it does not have) is.
   */
  async onModuleInit(): Promise<void> {
    try {
      await this.loadAll();
    } catch (error) {
      if (error instanceof StatefulValidationError) throw error;
      this.logger.warn(`Lua scripts not preloaded: ${(error as Error).message}`);
    }
  }

  /** SCRIPT LOAD of every script on every master; fails if Redis computes another SHA1 than ours. */
  async loadAll(timeoutMs: number = this.pool.readyTimeoutMs): Promise<void> {
    await this.pool.whenReady(timeoutMs);
    await Promise.all(this.pool.masters().map((node) => this.loadInto(node, this.scripts)));
  }

  /** Which scripts each master lacks (SCRIPT EXISTS). Fails at once while a connection is down. */
  async status(): Promise<LuaScriptsStatus> {
    this.pool.assertReady();
    const scripts = this.scripts;
    const missing = await Promise.all(
      this.pool.masters().map(async (node) => {
        const exists = (await node.script('EXISTS', ...scripts.map((s) => s.sha1))) as number[];
        return {
          node: describeNode(node),
          scripts: scripts.filter((_, i) => exists[i] !== 1).map((s) => s.name),
        };
      }),
    );
    if (missing.length === 0) throw new Error('no Redis master known');
    const incomplete = missing.filter((entry) => entry.scripts.length > 0);
    return { loaded: incomplete.length === 0, missing: incomplete };
  }

  /** Loads whatever `status` finds missing, then reports the status again. */
  async ensureLoaded(): Promise<LuaScriptsStatus> {
    const before = await this.status();
    if (before.loaded) return before;
    await this.loadAll(0);
    this.reloadCount += before.missing.reduce((sum, node) => sum + node.scripts.length, 0);
    return this.status();
  }

  /**
   * How many times a script was loaded again after Redis lost it (for metrics): calls that met
   * NOSCRIPT and resent the body, plus scripts `ensureLoaded` found missing on a master.
   */
  get reloads(): number {
    return this.reloadCount + this.fallbackCount;
  }

  private async loadInto(node: Redis, scripts: readonly LuaScript[]): Promise<void> {
    for (const script of scripts) {
      const sha1 = (await node.script('LOAD', script.lua)) as string;
      if (sha1 !== script.sha1) {
        throw new Error(`Redis computed SHA1 ${sha1} for ${script.name}, expected ${script.sha1}`);
      }
    }
  }

  private get(name: string): LuaScript {
    const script = this.byName.get(name);
    if (!script) throw new Error(`Unknown Lua script ${name}`);
    return script;
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NOSCRIPT');
}

function describeNode(node: Redis): string {
  return `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
}

/** The server does not know the command (EVALSHA_RO before Redis 7). */
function isUnknownCommand(error: unknown): boolean {
  return error instanceof Error && /^ERR unknown command/i.test(error.message);
}
