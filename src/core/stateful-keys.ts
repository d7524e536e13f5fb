import { StatefulValidationError } from '../errors';

/**
 * The Redis key layout of the Go/Java design, byte for byte (SPEC §2). Every key carries a
 * hash tag, so a user's keys share one Cluster slot, and a service's state and load hashes another.
 * Callers validate the parts first: that is what keeps two triples from mapping to one key.
 */
export class StatefulKeys {
  constructor(readonly prefix: string) {}

  /** `P:{ns:state:svc}`: hash, pod id -> state. */
  podStates(namespace: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:state:${serviceName}}`;
  }

  /** `P:{ns:state:svc}:load`: hash, pod id -> `<load>:<unixMillis>`. */
  podLoads(namespace: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:state:${serviceName}}:load`;
  }

  /**
   * `P:{ns:state:svc}:info`: hash of what this project keeps of each pod, additive (the originals
   * never read it): `<pod id>:address` -> `host:port` (SPEC §9), `<pod id>:everyMs` -> its period,
   * `<pod id>:placed` -> `<count>:<unixMillis of the report it counts from>` (SPEC §10).
   */
  podInfo(namespace: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:state:${serviceName}}:info`;
  }

  /** `P:{ns:workload:svc}`: string, the service's workload state. */
  workload(namespace: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:workload:${serviceName}}`;
  }

  /** `P:{ns:lk:uid}`: hash, service -> pod id, the user's persistent links. */
  userLinks(namespace: string, uid: string): string {
    return `${this.prefix}:{${namespace}:lk:${uid}}`;
  }

  /** `P:{ns:lk:uid}svc`: string, pod id; no TTL = persistent, TTL = temporary. */
  link(namespace: string, uid: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:lk:${uid}}${serviceName}`;
  }

  /**
   * `[link, userLinks, epoch]`, the keys of every link-writing script; the link key is the user's
   * key + service.
   */
  linkKeys(namespace: string, uid: string, serviceName: string): LinkKeys {
    const userLinks = this.userLinks(namespace, uid);
    const link = userLinks + serviceName;
    return [link, userLinks, link + EPOCH_SUFFIX];
  }
}

/** The keys of one link: `[link, userLinks, epoch]`. */
export type LinkKeys = [string, string, string];

/**
 * `<link key>:epoch`: string, `<epoch>:<pod id>`, the link's fencing epoch (SPEC §10), additive
 * (the originals never read it), in the link's slot, with the link's time to live. No link key ends
 * with it: service names hold no `:`.
 */
export const EPOCH_SUFFIX = ':epoch';

export function epochKeyOf(linkKey: string): string {
  return linkKey + EPOCH_SUFFIX;
}

/** The link key an epoch key belongs to, or undefined for any other key. */
export function linkKeyOfEpoch(key: string): string | undefined {
  return key.endsWith(EPOCH_SUFFIX) ? key.slice(0, -EPOCH_SUFFIX.length) : undefined;
}

/** The prefix is part of every key: braces would break the hash tags, controls the layout. */
export function validateKeyPrefix(prefix: unknown): string {
  if (
    typeof prefix !== 'string' ||
    prefix.length === 0 ||
    prefix.length > 64 ||
    /[{}\p{Cc}\s]/u.test(prefix)
  ) {
    throw new StatefulValidationError(
      'keyPrefix',
      'must be 1 to 64 characters without braces, spaces or controls',
    );
  }
  return prefix;
}
