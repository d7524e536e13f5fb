import type { PodSnapshot } from './pod-snapshot';

/** Services whose snapshot is kept; past that the table starts afresh (they are few in practice). */
const MAX_SERVICES = 10_000;

/**
 * The pod table (SPEC §6): each service's states and loads, kept in process for `ttlMs` and
 * refreshed by one read shared by every caller that needs it meanwhile. Placing new users and
 * checking whether a linked pod is gone read it, so the common path (a link exists) stays one
 * Redis call. `ttlMs` 0 reads on every call.
 */
export class PodTable {
  private readonly entries = new Map<
    string,
    {
      snapshot: Promise<PodSnapshot>;
      /** The snapshot once read: the hot path takes it without a promise. */
      value?: PodSnapshot;
      startedAt: number;
      expiresAt: number;
    }
  >();

  constructor(
    private readonly ttlMs: number,
    private readonly read: (namespace: string, serviceName: string) => Promise<PodSnapshot>,
  ) {}

  /** The cached snapshot if there is a fresh one, without waiting: the hot path's lookup. */
  peek(namespace: string, serviceName: string): PodSnapshot | undefined {
    const entry = this.entries.get(`${namespace}\u0000${serviceName}`);
    return entry && entry.expiresAt > Date.now() ? entry.value : undefined;
  }

  get(namespace: string, serviceName: string): Promise<PodSnapshot> {
    const entry = this.entries.get(`${namespace}\u0000${serviceName}`);
    if (entry && entry.expiresAt > Date.now()) return entry.snapshot;
    return this.start(namespace, serviceName);
  }

  /**
   * A snapshot whose read started at `startedAfter` or later (shared with every caller that needs
   * one meanwhile): what a caller saw at that time is then reflected in it.
   */
  getReadSince(namespace: string, serviceName: string, startedAfter: number): Promise<PodSnapshot> {
    const entry = this.entries.get(`${namespace}\u0000${serviceName}`);
    if (entry && entry.startedAt >= startedAfter) return entry.snapshot;
    return this.start(namespace, serviceName);
  }

  private start(namespace: string, serviceName: string): Promise<PodSnapshot> {
    const key = `${namespace}\u0000${serviceName}`;
    const startedAt = performance.now();
    const snapshot = this.read(namespace, serviceName);
    if (this.ttlMs > 0) {
      if (this.entries.size >= MAX_SERVICES) this.entries.clear();
      // Concurrent callers share this read; a failed read is not kept.
      const fresh: {
        snapshot: Promise<PodSnapshot>;
        value?: PodSnapshot;
        startedAt: number;
        expiresAt: number;
      } = { snapshot, startedAt, expiresAt: Infinity };
      this.entries.set(key, fresh);
      void snapshot.then(
        (value) => {
          fresh.value = value;
          fresh.expiresAt = Date.now() + this.ttlMs;
        },
        () => this.entries.get(key) === fresh && this.entries.delete(key),
      );
    }
    return snapshot;
  }

  /** Forgets a service's snapshot: a write through this process is seen by its next read. */
  invalidate(namespace: string, serviceName: string): void {
    this.entries.delete(`${namespace}\u0000${serviceName}`);
  }
}
