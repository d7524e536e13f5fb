import type { Cluster, Redis } from 'ioredis';

/**
 * The Java original's stateful driver (HZ00M/homo, `StatefulDriverRedisImpl` with its Lua scripts
 * and `LoadInfo`), reproduced in this project's own code from the facts of its source, so that tests
 * can run a Java pod or gateway beside this project on one Redis:
 * - keys: `slug-state:{app:region:logic:svc}` (hash: pod id -> `LoadInfo.join(load, millis, state)`),
 *   `slug-lk:{app:region:logic:uid}` (hash: svc -> pod id), `slug-lk:{app:region:logic:uid:svc}`
 *   (string: pod id);
 * - a pod's beat is a plain HSET of `<load>-<System.currentTimeMillis()>-<1|0>` (0: unavailable,
 *   written on close);
 * - the reader HGETALLs the state hash and builds every value with `LoadInfo.build`, which splits on
 *   `-` and parses `Integer`, `Long`, `Integer`: one value it cannot parse fails the whole read;
 * - the link scripts change the link and the user hash together, including the originals' own
 *   defects (setLinkedPodIfAbsent runs `EXPIRE link <ttl>` on an existing temporary link even when
 *   the ttl is -1, which deletes it).
 */
export class JavaDriver {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly app = 'app1',
    private readonly region = 'eu',
    private readonly logic = 'logic',
  ) {}

  /** The namespace this project uses for the same data. */
  get namespace(): string {
    return `${this.app}:${this.region}:${this.logic}`;
  }

  stateKey(svc: string): string {
    return `slug-state:{${this.namespace}:${svc}}`;
  }

  userKey(uid: string): string {
    return `slug-lk:{${this.namespace}:${uid}}`;
  }

  linkKey(uid: string, svc: string): string {
    return `slug-lk:{${this.namespace}:${uid}:${svc}}`;
  }

  /** A Java pod's beat (`state` 1 available, 0 unavailable), stamped with this process's clock. */
  async setServiceState(
    svc: string,
    podId: number,
    load: number,
    state: 0 | 1,
    millis = Date.now(),
  ) {
    await this.redis.hset(this.stateKey(svc), String(podId), `${load}-${millis}-${state}`);
  }

  /**
   * A Java gateway's read: every pod whose report is not older than `beginMillis`. Throws, as Java
   * does, when any value of the hash does not parse.
   */
  async getServiceState(svc: string, beginMillis = 0): Promise<Map<number, JavaLoadInfo>> {
    const values = await this.redis.hgetall(this.stateKey(svc));
    const pods = new Map<number, JavaLoadInfo>();
    for (const [field, value] of Object.entries(values)) {
      const info = javaLoadInfoBuild(field, value);
      if (info.timestamp >= beginMillis) pods.set(info.id, info);
    }
    return pods;
  }

  async getLinkedPod(uid: string, svc: string): Promise<number> {
    return Number((await this.redis.get(this.linkKey(uid, svc))) ?? '-1');
  }

  async getAllLinkService(uid: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.userKey(uid));
  }

  async setLinkedPod(uid: string, svc: string, podId: number, persistSeconds: number) {
    await this.redis.eval(
      SET_LINK,
      2,
      this.linkKey(uid, svc),
      this.userKey(uid),
      svc,
      String(podId),
      String(persistSeconds),
    );
  }

  /** The pod the user ends linked to. */
  async setLinkedPodIfAbsent(uid: string, svc: string, podId: number, persistSeconds: number) {
    const reply = (await this.redis.eval(
      SET_LINK_IF_ABSENT,
      2,
      this.linkKey(uid, svc),
      this.userKey(uid),
      svc,
      String(podId),
      String(persistSeconds),
    )) as string[];
    return Number(reply[0]);
  }

  async removeLinkedPod(uid: string, svc: string, persistSeconds: number) {
    await this.redis.eval(
      REMOVE_LINK,
      2,
      this.linkKey(uid, svc),
      this.userKey(uid),
      svc,
      String(persistSeconds),
    );
  }
}

export interface JavaLoadInfo {
  id: number;
  load: number;
  timestamp: number;
  state: number;
}

const INT_MAX = 2_147_483_647;
const INT_MIN = -2_147_483_648;

/**
 * `LoadInfo.build(key, value)` as Java runs it: `value.split("-")` (trailing empty parts dropped),
 * then `Integer.valueOf(key)`, `Integer.valueOf(ss[0])`, `Long.valueOf(ss[1])`,
 * `Integer.valueOf(ss[2])`. Throws where Java throws.
 */
export function javaLoadInfoBuild(key: string, value: string): JavaLoadInfo {
  const parts = value.split('-');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length < 3) throw new Error(`LoadInfo.build(${key}, ${value}): index out of bounds`);
  return {
    id: javaInteger(key, INT_MIN, INT_MAX),
    load: javaInteger(parts[0], INT_MIN, INT_MAX),
    timestamp: javaInteger(parts[1], Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    state: javaInteger(parts[2], INT_MIN, INT_MAX),
  };
}

/** `Integer.valueOf` / `Long.valueOf`: an optional sign and decimal digits, in range. */
function javaInteger(text: string, min: number, max: number): number {
  if (!/^[+-]?[0-9]+$/.test(text))
    throw new Error(`NumberFormatException: ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value < min || value > max) throw new Error(`NumberFormatException: ${text} out of range`);
  return value;
}

/**
 * What this project may write where Java reads a state hash (SPEC §11): `<load>-<millis>-<0|1>`
 * with an integer load >= 0. Stricter than `javaLoadInfoBuild`, which takes a sign or a 4th part.
 */
export function assertJavaStatus(field: string, value: string): JavaLoadInfo {
  if (!/^(0|[1-9][0-9]*)-[0-9]{1,16}-[01]$/.test(value)) {
    throw new Error(`state hash ${field} -> ${JSON.stringify(value)} is not <load>-<ms>-<0|1>`);
  }
  return javaLoadInfoBuild(field, value);
}

// The three link scripts, as the Java driver's scripts behave (written anew here).
const SET_LINK = `
redis.call('SET', KEYS[1], ARGV[2])
if tonumber(ARGV[3]) == -1 then
  redis.call('PERSIST', KEYS[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return {1}`;

const SET_LINK_IF_ABSENT = `
local ttl = tonumber(ARGV[3])
local existing = redis.call('GET', KEYS[1])
if existing then
  if redis.call('TTL', KEYS[1]) ~= -1 then
    redis.call('EXPIRE', KEYS[1], ttl)
  end
  return {existing}
end
redis.call('SET', KEYS[1], ARGV[2])
if ttl == -1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ttl)
end
return {ARGV[2]}`;

const REMOVE_LINK = `
local ttl = tonumber(ARGV[2])
if ttl == -1 then
  redis.call('DEL', KEYS[1])
else
  redis.call('EXPIRE', KEYS[1], ttl)
end
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[2])
end
return {1}`;
