import { Logger } from '@nestjs/common';

/** Which kind of key a skipped entry came from (the metric's `key_kind` label). */
export type MalformedKeyKind = 'state' | 'load' | 'info' | 'link' | 'userLinks';

const LOG_INTERVAL_MS = 60_000;
/** Keys whose last warning time is remembered; past that the memory starts afresh. */
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * Reads of many entries leave out an entry whose stored value does not parse (another writer, a
 * bug, a hand edit) rather than failing: one bad value must not make a whole service unroutable.
 * Each one is counted here by key kind (for metrics) and logged at most once a minute per key.
 */
export class MalformedEntries {
  private readonly logger = new Logger('StatefulExecutorService');
  private readonly counts = new Map<MalformedKeyKind, number>();
  private readonly loggedAt = new Map<string, number>();

  note(kind: MalformedKeyKind, key: string, detail: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    const now = Date.now();
    if (now - (this.loggedAt.get(key) ?? -Infinity) < LOG_INTERVAL_MS) return;
    if (this.loggedAt.size >= MAX_REMEMBERED_KEYS) this.loggedAt.clear();
    this.loggedAt.set(key, now);
    this.logger.warn(
      `Left out a malformed entry of ${key}: ${detail} (logged at most once a minute per key)`,
    );
  }

  /** Entries left out so far, by key kind. */
  get totals(): ReadonlyMap<MalformedKeyKind, number> {
    return this.counts;
  }
}
