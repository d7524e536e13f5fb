import type { MalformedEntries } from '../core/malformed-entries';
import { hashEntries, parseOptionalPodId, parsePodIdOrUndefined } from '../core/reply-parsers';
import type { StatefulKeys } from '../core/stateful-keys';
import { getMany } from '../redis/multi-key-get';
import { runCommand } from '../redis/redis-command';
import type { RedisConnectionPool } from '../redis/redis-connection-pool';
import type { LuaScriptRegistry } from '../scripts/lua-script-registry';

/**
 * Reads of links that the link cache does not serve (docs/operations.md, "Links"): a link only if persistent,
 * many users' links at once, and a user's persistent links. Reads of many entries leave out, and
 * count, an entry that is not a pod id. Arguments are checked by the caller.
 */
export class LinkReads {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly scripts: LuaScriptRegistry,
    private readonly keys: StatefulKeys,
    private readonly malformed: MalformedEntries,
  ) {}

  /** The pod only if the link is persistent (no TTL). */
  async ifPersistent(namespace: string, uid: string, serviceName: string): Promise<number | null> {
    const reply = await this.scripts.run(
      'statefulGetLinkIfPersist',
      [this.keys.link(namespace, uid, serviceName)],
      [],
    );
    return parseOptionalPodId(reply, 'statefulGetLinkIfPersist');
  }

  /** pod id -> the uids linked to it (`uids` without duplicates); works across Cluster slots. */
  async byPod(
    namespace: string,
    uids: readonly string[],
    serviceName: string,
  ): Promise<Map<number, string[]>> {
    const keys = uids.map((uid) => this.keys.link(namespace, uid, serviceName));
    const values = await runCommand(this.pool, 'MGET', (redis) => getMany(redis, keys));
    const byPod = new Map<number, string[]>();
    values.forEach((value, index) => {
      if (value === null) return;
      const podId = parsePodIdOrUndefined(value);
      if (podId === undefined) {
        this.malformed.note('link', keys[index], `${JSON.stringify(value)} is not a pod id`);
        return;
      }
      const linked = byPod.get(podId);
      if (linked) linked.push(uids[index]);
      else byPod.set(podId, [uids[index]]);
    });
    return byPod;
  }

  /** The user's persistent links: service -> pod. */
  async userLinks(namespace: string, uid: string): Promise<Map<string, number>> {
    const key = this.keys.userLinks(namespace, uid);
    const reply = await runCommand(this.pool, 'HGETALL', (redis) => redis.hgetall(key));
    const links = new Map<string, number>();
    for (const [service, value] of hashEntries(reply, key)) {
      const podId = parsePodIdOrUndefined(value);
      if (podId === undefined) {
        this.malformed.note(
          'userLinks',
          key,
          `${service} -> ${JSON.stringify(value)} is not a pod id`,
        );
        continue;
      }
      links.set(service, podId);
    }
    return links;
  }
}
