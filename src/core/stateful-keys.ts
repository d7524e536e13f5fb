import { StatefulValidationError } from '../errors';
import { DEFAULT_KEY_PREFIX } from './stateful.constants';
import * as check from './validators';

/**
 * Which original's key names the store uses: `go`, the Go port's (`P:{ns:lk:uid}svc`, the default),
 * or `java`, the Java original's (`slug-lk:{app:region:logic:uid:svc}`), docs/operations.md.
 */
export type KeyLayout = 'go' | 'java';

export const KEY_LAYOUTS: readonly KeyLayout[] = ['go', 'java'];

/**
 * The Redis keys of one layout, byte for byte. Every key carries a hash tag: a service's state, load
 * and info hashes share a Cluster slot, and so do a link and its epoch key. Names are validated
 * through the layout (`assertNamespace`, `assertUid`) before any key is built: that is what keeps
 * two triples from mapping to one key.
 */
export abstract class StatefulKeys {
  abstract readonly layout: KeyLayout;

  constructor(readonly prefix: string) {}

  /** The service's state hash: pod id -> state (or a Java status `<load>-<ms>-<avail>`). */
  abstract podStates(namespace: string, serviceName: string): string;

  /** The service's workload state (a string; this project's only in the java layout). */
  abstract workload(namespace: string, serviceName: string): string;

  /** The user's hash of persistent links: service -> pod id. */
  abstract userLinks(namespace: string, uid: string): string;

  /** The link: a string, the pod id; no TTL = persistent, TTL = temporary. */
  abstract link(namespace: string, uid: string, serviceName: string): string;

  /** SCAN's MATCH for every link of a service in a namespace (glob characters escaped). */
  abstract linkPattern(namespace: string, serviceName: string): string;

  /** The uid of a link key of this namespace and service, or undefined for any other key. */
  abstract uidOfLink(key: string, namespace: string, serviceName: string): string | undefined;

  /**
   * The key prefixes the link cache asks Redis to track (BCAST): every user hash, link and epoch
   * key of the namespaces (undefined: of all namespaces).
   */
  abstract trackingPrefixes(namespaces: Iterable<string> | undefined): string[];

  /** SCAN's MATCH for every service's state hash, of one namespace or of all. */
  abstract serviceStatePattern(namespace?: string): string;

  /** The namespace and service of a state hash key, or undefined for any other key. */
  abstract serviceOfStateKey(key: string): { namespace: string; service: string } | undefined;

  /** Checks a namespace of this layout, naming the field. */
  abstract assertNamespace(value: unknown, field?: string): asserts value is string;

  abstract assertUid(value: unknown, field?: string): asserts value is string;

  /** `P:{ns:state:svc}:load`: hash, pod id -> `<load>:<unixMillis>` (this project's split format). */
  podLoads(namespace: string, serviceName: string): string {
    return `${this.podStates(namespace, serviceName)}:load`;
  }

  /**
   * The state hash's key + `:info`: hash of what this project keeps of each pod, additive (the
   * originals never read it): `<pod id>:address` -> `host:port` (docs/gateways.md), `<pod id>:everyMs` -> its
   * period, `<pod id>:placed` -> `<count>:<unixMillis of the report it counts from>` (docs/operations.md),
   * `<pod id>:state` -> the state held for a Java status (docs/operations.md).
   */
  podInfo(namespace: string, serviceName: string): string {
    return `${this.podStates(namespace, serviceName)}:info`;
  }

  /**
   * The database's identity for the link cache (a random token, this project's only): when it
   * changes, the database was swapped (SWAPDB) and every cached link is dropped.
   */
  cacheIdentityKey(): string {
    return `${this.prefix}:cache-database-identity`;
  }

  /** `[link, userLinks, epoch]`, the keys of every link-writing script. */
  linkKeys(namespace: string, uid: string, serviceName: string): LinkKeys {
    const link = this.link(namespace, uid, serviceName);
    return [link, this.userLinks(namespace, uid), link + EPOCH_SUFFIX];
  }

  /** The triple that names a link. */
  assertLink(namespace: unknown, uid: unknown, serviceName: unknown): void {
    this.assertNamespace(namespace);
    this.assertUid(uid);
    check.assertServiceName(serviceName);
  }

  /** A namespace and a service name (the pod and workload operations' pair). */
  assertService(namespace: unknown, serviceName: unknown): void {
    this.assertNamespace(namespace);
    check.assertServiceName(serviceName);
  }
}

/**
 * The Go port's layout (docs/operations.md), the default:
 * `P:{ns:state:svc}` (state hash), `P:{ns:state:svc}:load` (load hash), `P:{ns:workload:svc}`,
 * `P:{ns:lk:uid}` (user hash) and `P:{ns:lk:uid}svc` (link), in the user's slot.
 */
export class GoKeyLayout extends StatefulKeys {
  readonly layout = 'go';

  podStates(namespace: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:state:${serviceName}}`;
  }

  workload(namespace: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:workload:${serviceName}}`;
  }

  userLinks(namespace: string, uid: string): string {
    return `${this.prefix}:{${namespace}:lk:${uid}}`;
  }

  link(namespace: string, uid: string, serviceName: string): string {
    return `${this.prefix}:{${namespace}:lk:${uid}}${serviceName}`;
  }

  /** The link key is the user's key + service: one concatenation on the hot path. */
  override linkKeys(namespace: string, uid: string, serviceName: string): LinkKeys {
    const userLinks = this.userLinks(namespace, uid);
    const link = userLinks + serviceName;
    return [link, userLinks, link + EPOCH_SUFFIX];
  }

  linkPattern(namespace: string, serviceName: string): string {
    return `${escapeGlob(this.prefix)}:{${namespace}:lk:*}${serviceName}`;
  }

  uidOfLink(key: string, namespace: string, serviceName: string): string | undefined {
    const head = `${this.prefix}:{${namespace}:lk:`;
    const tail = `}${serviceName}`;
    if (key.length <= head.length + tail.length) return undefined;
    return key.startsWith(head) && key.endsWith(tail)
      ? key.slice(head.length, key.length - tail.length)
      : undefined;
  }

  serviceStatePattern(namespace?: string): string {
    return `${escapeGlob(this.prefix)}:{${namespace ?? '*'}:state:*}`;
  }

  serviceOfStateKey(key: string): { namespace: string; service: string } | undefined {
    const parts = tagOf(key, `${this.prefix}:{`)?.split(':');
    if (parts?.length !== 3 || parts[1] !== 'state') return undefined;
    const [namespace, , service] = parts;
    return check.isName(namespace) && check.isName(service) ? { namespace, service } : undefined;
  }

  trackingPrefixes(namespaces: Iterable<string> | undefined): string[] {
    if (namespaces === undefined) return [`${this.prefix}:{`];
    return [...namespaces].map((namespace) => `${this.prefix}:{${namespace}:lk:`);
  }

  assertNamespace(value: unknown, field = 'namespace'): asserts value is string {
    check.assertNamespace(value, field);
  }

  assertUid(value: unknown, field = 'uid'): asserts value is string {
    check.assertUid(value, field);
  }
}

/**
 * The Java original's layout (its StatefulDriverRedisImpl, docs/operations.md), with namespace
 * `<appId>:<regionId>:<logicType>`: `slug-state:{ns:svc}` (state hash, Java statuses),
 * `slug-lk:{ns:uid}` (user hash) and `slug-lk:{ns:uid:svc}` (link). A link and its user hash lie in
 * different slots, so this layout needs a single Redis (standalone or Sentinel), as Java's own
 * scripts, which write both, do. This project's additive keys follow the same pattern:
 * `slug-state:{ns:svc}:load` and `:info`, `slug-workload:{ns:svc}`, `slug-lk:{ns:uid:svc}:epoch`.
 */
export class JavaKeyLayout extends StatefulKeys {
  readonly layout = 'java';

  podStates(namespace: string, serviceName: string): string {
    return `${this.prefix}-state:{${namespace}:${serviceName}}`;
  }

  workload(namespace: string, serviceName: string): string {
    return `${this.prefix}-workload:{${namespace}:${serviceName}}`;
  }

  userLinks(namespace: string, uid: string): string {
    return `${this.prefix}-lk:{${namespace}:${uid}}`;
  }

  link(namespace: string, uid: string, serviceName: string): string {
    return `${this.prefix}-lk:{${namespace}:${uid}:${serviceName}}`;
  }

  linkPattern(namespace: string, serviceName: string): string {
    return `${escapeGlob(this.prefix)}-lk:{${namespace}:*:${serviceName}}`;
  }

  /** A key whose uid part holds `:` is not one this layout can name (a Java fleet's own uid). */
  uidOfLink(key: string, namespace: string, serviceName: string): string | undefined {
    const head = `${this.prefix}-lk:{${namespace}:`;
    const tail = `:${serviceName}}`;
    if (key.length <= head.length + tail.length) return undefined;
    if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
    const uid = key.slice(head.length, key.length - tail.length);
    return uid.includes(':') ? undefined : uid;
  }

  serviceStatePattern(namespace?: string): string {
    return `${escapeGlob(this.prefix)}-state:{${namespace === undefined ? '' : `${namespace}:`}*}`;
  }

  serviceOfStateKey(key: string): { namespace: string; service: string } | undefined {
    const parts = tagOf(key, `${this.prefix}-state:{`)?.split(':');
    if (parts?.length !== 4 || !parts.every((part) => check.isName(part))) return undefined;
    return { namespace: parts.slice(0, 3).join(':'), service: parts[3] };
  }

  trackingPrefixes(namespaces: Iterable<string> | undefined): string[] {
    if (namespaces === undefined) return [`${this.prefix}-lk:{`];
    return [...namespaces].map((namespace) => `${this.prefix}-lk:{${namespace}:`);
  }

  assertNamespace(value: unknown, field = 'namespace'): asserts value is string {
    const parts = typeof value === 'string' ? value.split(':') : [];
    if (parts.length !== 3) {
      throw new StatefulValidationError(
        field,
        "must be '<appId>:<regionId>:<logicType>' in the java key layout (three names joined by ':')",
      );
    }
    parts.forEach((part, index) => {
      if (!check.isName(part)) {
        throw new StatefulValidationError(
          field,
          `has ${JAVA_PARTS[index]} ${JSON.stringify(part)}: each of <appId>:<regionId>:<logicType> must be 1 to 128 characters of A-Z a-z 0-9 . _ - starting with a letter or digit`,
        );
      }
    });
  }

  assertUid(value: unknown, field = 'uid'): asserts value is string {
    check.assertUid(value, field);
    if (value.includes(':')) {
      throw new StatefulValidationError(
        field,
        "must not contain ':' in the java key layout (there the user hash of 'u:game' is the link of 'u' to 'game')",
      );
    }
  }
}

const JAVA_PARTS = ['appId', 'regionId', 'logicType'];

/** The Java original's prefix: its driver writes `slug-state:` and `slug-lk:` keys. */
export const DEFAULT_JAVA_KEY_PREFIX = 'slug';

/** The keys of one link: `[link, userLinks, epoch]`. */
export type LinkKeys = [string, string, string];

/**
 * `<link key>:epoch`: string, `<epoch>:<pod id>`, the link's fencing epoch (docs/operations.md), additive
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

/** The default key prefix of a layout: `sf` as the Go port, `slug` as the Java original. */
export function defaultKeyPrefix(layout: KeyLayout): string {
  return layout === 'java' ? DEFAULT_JAVA_KEY_PREFIX : DEFAULT_KEY_PREFIX;
}

/** Checks `keyLayout`, naming the option: an unknown one must not run the Go layout silently. */
export function validateKeyLayout(layout: unknown): KeyLayout {
  if (layout === undefined) return 'go';
  if (!KEY_LAYOUTS.includes(layout as KeyLayout)) {
    throw new StatefulValidationError('keyLayout', "must be 'go' or 'java'");
  }
  return layout as KeyLayout;
}

/** The keys of a layout, with its default prefix unless one is given. */
export function createStatefulKeys(layout: KeyLayout = 'go', prefix?: string): StatefulKeys {
  const resolved = validateKeyPrefix(prefix ?? defaultKeyPrefix(layout));
  return layout === 'java' ? new JavaKeyLayout(resolved) : new GoKeyLayout(resolved);
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

/** What lies between `head` and a closing brace that ends the key, or undefined. */
function tagOf(key: string, head: string): string | undefined {
  return key.startsWith(head) && key.endsWith('}') ? key.slice(head.length, -1) : undefined;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
