const MAX_SECOND_CHANCES = 32;

/** A link as Redis reported it: its pod, its remaining time to live (-1: persistent), its epoch. */
export interface LinkState {
  readonly podId: number;
  readonly pttlMs: number;
  readonly epoch: number;
  /**
   * The TTL is a bound, not a fact: a write with a TTL that keeps an existing link may have left it
   * persistent. The entry then never answers whether the link is persistent (getLink reads Redis).
   */
  readonly ttlAssumed?: boolean;
}

/** What the cache answers for a link. */
export interface CachedLink {
  readonly podId: number;
  readonly persistent: boolean;
  /** Whether `persistent` is what Redis holds, or only the shorter life a write assumed. */
  readonly persistenceKnown: boolean;
  /** 0 when the link has no epoch of its pod (docs/operations.md). */
  readonly epoch: number;
}

interface Entry extends CachedLink {
  podId: number;
  persistent: boolean;
  persistenceKnown: boolean;
  epoch: number;
  /** performance.now() after which the entry is not answered. */
  expiresAt: number;
  /** Second chance: set by a hit, cleared when eviction passes over the entry. */
  used: boolean;
}

/**
 * A call under way whose answer may enter the cache. An invalidation of its key or a flush while it
 * runs makes it stale: its answer may predate the change, so it is not stored.
 */
export interface Admission {
  readonly key: string;
  readonly generation: number;
  readonly startedAt: number;
  stale: boolean;
}

export interface LinkEntriesCounts {
  hits: number;
  misses: number;
  evictions: number;
  invalidations: number;
}

/**
 * The cache's contents and its rules, with no I/O: entries bounded by `maxEntries` (LRU by second
 * chance: a hit only sets a flag, eviction skips a flagged entry once), each answered until the
 * earlier of `ttlMs` after it was read and the link's own expiry. Answers are admitted only if
 * nothing invalidated their key, and no flush happened, while they were fetched.
 */
export class LinkEntries {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Admission[]>();
  private generation = 0;
  readonly counts: LinkEntriesCounts = {
    hits: 0,
    misses: 0,
    evictions: 0,
    invalidations: 0,
  };

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The link, if cached and fresh; `persistentOnly` skips temporary links. Counts hit or miss. The
   * entry itself is returned (no allocation on the hot path): read it at once, it changes in place.
   */
  linkOf(key: string, persistentOnly: boolean): CachedLink | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && (entry.persistent || !persistentOnly)) {
      if (entry.expiresAt > this.now()) {
        entry.used = true;
        this.counts.hits++;
        return entry;
      }
      this.entries.delete(key);
    }
    this.counts.misses++;
    return undefined;
  }

  /** Takes back a hit that the caller could not use after all (it went to Redis). */
  unhit(): void {
    this.counts.hits--;
    this.counts.misses++;
  }

  /** Registers a call whose answer about `key` may be stored by `settle`. */
  begin(key: string): Admission {
    const admission: Admission = {
      key,
      generation: this.generation,
      startedAt: this.now(),
      stale: false,
    };
    const list = this.pending.get(key);
    if (list === undefined) this.pending.set(key, [admission]);
    else list.push(admission);
    return admission;
  }

  /**
   * Ends a call: stores `link`, or drops the key for no link or an error, unless the answer went
   * stale meanwhile. `isWrite`: this process changed the key, so answers still under way for it are
   * older than the change and must not be stored.
   */
  settle(admission: Admission, link: LinkState | null, isWrite: boolean): void {
    const { key } = admission;
    const list = this.pending.get(key);
    if (list !== undefined) {
      const index = list.indexOf(admission);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.pending.delete(key);
      else if (isWrite) for (const other of list) other.stale = true;
    }
    if (admission.stale || admission.generation !== this.generation) {
      // A stale read leaves the key alone: whatever is cached now came after the change. A stale
      // write does not: what is cached may be older than it (a concurrent write that settled first).
      if (isWrite) this.entries.delete(key);
      return;
    }
    if (link === null) {
      this.entries.delete(key);
      return;
    }
    const persistent = link.pttlMs < 0;
    const limit = admission.startedAt + this.ttlMs;
    // From when the call started: the link's own expiry can only be later than that.
    const expiresAt = persistent ? limit : Math.min(limit, admission.startedAt + link.pttlMs);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.podId = link.podId;
      entry.persistent = persistent;
      entry.persistenceKnown = link.ttlAssumed !== true;
      entry.epoch = link.epoch;
      entry.expiresAt = expiresAt;
      return;
    }
    if (this.entries.size >= this.maxEntries) this.evictOne();
    this.entries.set(key, {
      podId: link.podId,
      persistent,
      persistenceKnown: link.ttlAssumed !== true,
      epoch: link.epoch,
      expiresAt,
      used: false,
    });
  }

  /** Redis says `key` changed: drop it, and fail the admission of answers under way for it. */
  invalidate(key: string): void {
    if (this.entries.delete(key)) this.counts.invalidations++;
    const list = this.pending.get(key);
    if (list !== undefined) for (const admission of list) admission.stale = true;
  }

  /**
   * A write of this process that cannot be admitted (tracking is down) changed `key`: drop it, and
   * fail the answers under way for it, which may predate the write; not counted as an invalidation.
   */
  written(key: string): void {
    this.entries.delete(key);
    const list = this.pending.get(key);
    if (list !== undefined) for (const admission of list) admission.stale = true;
  }

  /** Empties the cache; answers under way are not stored either. */
  flush(): void {
    this.entries.clear();
    this.generation++;
  }

  /**
   * Drops the entries `matches` selects, and fails every answer under way (cheaper than finding
   * theirs): for a change this process made to many keys at once.
   */
  drop(matches: (key: string, podId: number) => boolean): void {
    for (const [key, entry] of this.entries) {
      if (matches(key, entry.podId)) this.entries.delete(key);
    }
    this.generation++;
  }

  /**
   * Evicts the oldest entry not used since eviction last passed over it; after MAX_SECOND_CHANCES
   * used ones in a row, the next is evicted anyway, so that an insert into a cache whose entries
   * are all hot costs a few steps, not a pass over millions.
   */
  private evictOne(): void {
    let chances = 0;
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (!entry.used || chances === MAX_SECOND_CHANCES) {
        this.counts.evictions++;
        return;
      }
      chances++;
      entry.used = false;
      this.entries.set(key, entry);
    }
  }
}
