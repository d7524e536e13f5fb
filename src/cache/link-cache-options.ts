import { StatefulValidationError } from '../errors';
import * as check from '../core/validators';
import type { NamespaceCheck } from '../core/validators';

/** `StatefulModule.forRoot({ cache })`: the gateway's link cache (docs/link-cache.md). Off when absent. */
export interface LinkCacheOptions {
  /** How many links the cache holds at most; the least recently used go first. */
  maxEntries: number;
  /**
   * The longest an entry is answered without asking Redis (default 60000 ms): what bounds
   * staleness even if an invalidation were lost.
   */
  ttlMs?: number;
  /**
   * Only these namespaces' links are cached (default: all). Redis then sends this process
   * invalidations for those namespaces only, instead of for every key under the prefix.
   */
  namespaces?: string[];
}

export interface ResolvedLinkCacheOptions {
  readonly maxEntries: number;
  readonly ttlMs: number;
  /** Undefined: every namespace. */
  readonly namespaces?: ReadonlySet<string>;
}

export const DEFAULT_LINK_CACHE_TTL_MS = 60_000;
export const MAX_LINK_CACHE_ENTRIES = 10_000_000;
const MAX_TTL_MS = 86_400_000;

/**
 * Checks `cache`, naming the bad field (`cache.<name>`; namespaces as the key layout takes them),
 * and fills in the defaults.
 */
export function resolveLinkCacheOptions(
  options: unknown,
  assertNamespace: NamespaceCheck = check.assertNamespace,
): ResolvedLinkCacheOptions {
  check.assertOptionsObject(options, 'cache', '{ maxEntries, ttlMs? }');
  const { maxEntries, ttlMs, namespaces } = options as Partial<LinkCacheOptions>;
  check.assertIntegerIn(maxEntries, 'cache.maxEntries', 1, MAX_LINK_CACHE_ENTRIES);
  if (ttlMs !== undefined) check.assertIntegerIn(ttlMs, 'cache.ttlMs', 1, MAX_TTL_MS, ' (ms)');
  if (Array.isArray(namespaces) && namespaces.length === 0) {
    // No prefix at all would make Redis track every key of the database.
    throw new StatefulValidationError('cache.namespaces', 'must name at least one namespace');
  }
  return {
    maxEntries,
    ttlMs: ttlMs ?? DEFAULT_LINK_CACHE_TTL_MS,
    namespaces:
      namespaces === undefined
        ? undefined
        : new Set(check.uniqueList<string>(namespaces, 'cache.namespaces', assertNamespace)),
  };
}
