import type { Redis } from 'ioredis';
import { translateRedisError } from '../errors';
import { epochKeyOf, type StatefulKeys } from '../core/stateful-keys';
import * as check from '../core/validators';
import type { LinkedUsers } from '../links/linked-users';
import type { PodStatusStore } from '../pods/pod-status-store';
import type { RedisClient, RedisConnectionPool } from '../redis/redis-connection-pool';
import type { PodOverview, ServiceRef, UserLinkOverview } from './store-overview.types';

/** At most this many services are listed, and this many keys looked at to find them. */
export const MAX_SERVICES = 1_000;
const MAX_SCANNED_KEYS = 100_000;
const SCAN_COUNT = 1_000;

/**
 * What operators look at (the console, the CLI): the services in the store, a service's pods with
 * their state, load, report age and address, a user's links. Reads only, none on a request path:
 * finding services is a bounded SCAN, counting a pod's users a full one.
 */
export class StoreOverview {
  constructor(
    private readonly pool: RedisConnectionPool,
    private readonly keys: StatefulKeys,
    private readonly pods: PodStatusStore,
    private readonly linkedUsers: LinkedUsers,
  ) {}

  /**
   * The services that have a state hash (pods reported), by a SCAN bounded to MAX_SCANNED_KEYS keys
   * per master; `complete` is false when the bound stopped it. Sorted by namespace and service.
   */
  async services(namespace?: string): Promise<{ services: ServiceRef[]; complete: boolean }> {
    if (namespace !== undefined) this.keys.assertNamespace(namespace);
    const pattern = this.keys.serviceStatePattern(namespace);
    const found = new Map<string, ServiceRef>();
    let complete = true;
    for (const master of this.pool.masters()) {
      let cursor = '0';
      let scanned = 0;
      do {
        const [next, keys] = await scan(master, cursor, pattern);
        for (const key of keys) {
          const service = this.keys.serviceOfStateKey(key);
          if (service && (namespace === undefined || service.namespace === namespace)) {
            found.set(`${service.namespace}\n${service.service}`, service);
          }
        }
        cursor = next;
        scanned += SCAN_COUNT;
      } while (cursor !== '0' && scanned < MAX_SCANNED_KEYS && found.size < MAX_SERVICES);
      if (cursor !== '0') complete = false;
    }
    const services = [...found.values()].sort(
      (a, b) => a.namespace.localeCompare(b.namespace) || a.service.localeCompare(b.service),
    );
    return { services: services.slice(0, MAX_SERVICES), complete };
  }

  /** Every known pod of the service (a state or a load report), read now, by pod id. */
  async podList(namespace: string, serviceName: string): Promise<PodOverview[]> {
    this.keys.assertService(namespace, serviceName);
    const snapshot = await this.pods.readSnapshot(namespace, serviceName);
    return [...snapshot.pods.entries()]
      .sort(([a], [b]) => a - b)
      .map(([podId, record]) => ({
        podId,
        state: record.state ?? null,
        load: record.load?.load ?? null,
        reportedAt: record.load?.updatedAt ?? null,
        ageMs:
          record.load === undefined
            ? null
            : Math.max(0, snapshot.redisNowMs - record.load.updatedAt),
        address: record.address ?? null,
        everyMs: record.everyMs ?? null,
        javaStatus: record.java === true,
      }));
  }

  /**
   * The user's links to `services` and to every service of its persistent links: pod, persistence,
   * time to live and epoch. One read per service, all in the user's slot.
   */
  async userLinks(
    namespace: string,
    uid: string,
    services: string[] = [],
  ): Promise<UserLinkOverview[]> {
    this.keys.assertNamespace(namespace);
    this.keys.assertUid(uid);
    const asked = check.uniqueList<string>(services, 'services', check.assertServiceName);
    const userKey = this.keys.userLinks(namespace, uid);
    const listed = await this.command('HKEYS', (redis) => redis.hkeys(userKey));
    const names = [...new Set([...asked, ...listed.filter(isServiceName)])].sort();
    const links = await Promise.all(
      names.map(async (service) => {
        const key = this.keys.link(namespace, uid, service);
        const [pod, ttl, epoch] = await this.command('GET', (redis) =>
          Promise.all([redis.get(key), redis.pttl(key), redis.get(epochKeyOf(key))]),
        );
        return linkOverview(service, pod, ttl, epoch);
      }),
    );
    return links.filter((link): link is UserLinkOverview => link !== undefined);
  }

  /** How many users are linked to the pod: a full SCAN, on request only. */
  async countUsers(namespace: string, serviceName: string, podId: number): Promise<number> {
    this.keys.assertService(namespace, serviceName);
    check.assertPodId(podId);
    let count = 0;
    for await (const uid of this.linkedUsers.scan(namespace, serviceName, podId, 1_000)) {
      void uid;
      count++;
    }
    return count;
  }

  private command<T>(name: string, run: (redis: RedisClient) => Promise<T>): Promise<T> {
    return run(this.pool.next()).catch((error: unknown) => {
      throw translateRedisError(error, name);
    });
  }
}

function scan(master: Redis, cursor: string, pattern: string): Promise<[string, string[]]> {
  return master.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT).catch((error: unknown) => {
    throw translateRedisError(error, 'SCAN');
  });
}

function isServiceName(name: string): boolean {
  try {
    check.assertServiceName(name);
    return true;
  } catch {
    return false;
  }
}

/** A link as read, or undefined when there is none (or its value is no pod id). */
function linkOverview(
  service: string,
  pod: string | null,
  ttlMs: number,
  epochValue: string | null,
): UserLinkOverview | undefined {
  if (pod === null || !/^(0|[1-9][0-9]{0,9})$/.test(pod)) return undefined;
  const epoch = /^([1-9][0-9]{0,15}):(0|[1-9][0-9]{0,9})$/.exec(epochValue ?? '');
  return {
    service,
    podId: Number(pod),
    persistent: ttlMs === -1,
    ttlMs: ttlMs >= 0 ? ttlMs : null,
    epoch: epoch && epoch[2] === pod ? Number(epoch[1]) : 0,
  };
}
