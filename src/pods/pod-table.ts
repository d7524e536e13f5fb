import { PodSnapshot } from './pod-snapshot';
import type { PodRecord } from './pod-status';

/** Services whose snapshot is kept; past that the table starts afresh (they are few in practice). */
const MAX_SERVICES = 10_000;

interface Entry {
  snapshot: Promise<PodSnapshot>;
  /** The snapshot once read (or, while a refresh is under way, the previous one if it is recent). */
  value?: PodSnapshot;
  startedAt: number;
  /** Until when `value` may be used without reading again. */
  expiresAt: number;
  /** Read to confirm what another snapshot said (see confirm()). */
  confirming?: boolean;
}

/**
 * A confirming read started this shortly before a link was seen may confirm again: a pod that never
 * reports (removed, say) then costs at most one read per window, not one per call.
 */
const CONFIRM_WINDOW_MS = 100;

/**
 * The pod table (docs/operations.md): each service's states and loads, kept in process for `ttlMs` and
 * refreshed by one read shared by every caller that needs it meanwhile. Placing new users and
 * checking whether a linked pod is gone read it, so the common path (a link exists) stays one
 * Redis call: while a refresh is under way, that path keeps using the previous snapshot (at most
 * one more `ttlMs` old) to see that a pod is alive; any other decision waits for the read. Writes
 * through this process patch it in place. `ttlMs` 0 reads every call.
 */
export class PodTable {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly read: (namespace: string, serviceName: string) => Promise<PodSnapshot>,
  ) {}

  /** Every service's last snapshot this process read, fresh or not (metrics). */
  *snapshots(): Generator<[namespace: string, serviceName: string, snapshot: PodSnapshot]> {
    for (const [name, entry] of this.entries) {
      if (entry.value === undefined) continue;
      const [namespace, serviceName] = name.split('\u0000');
      yield [namespace, serviceName, entry.value];
    }
  }

  /** The cached snapshot if there is a usable one, without waiting: the hot path's lookup. */
  peek(namespace: string, serviceName: string): PodSnapshot | undefined {
    const entry = this.entries.get(key(namespace, serviceName));
    return entry && entry.expiresAt > Date.now() ? entry.value : undefined;
  }

  /**
   * A snapshot to decide on: the cached one while fresh, else the read under way (shared) or a new
   * one. Never the previous snapshot that peek() may still offer during a refresh.
   */
  get(namespace: string, serviceName: string): Promise<PodSnapshot> {
    const entry = this.entries.get(key(namespace, serviceName));
    if (entry && entry.expiresAt > Date.now()) return entry.snapshot;
    return this.start(namespace, serviceName);
  }

  /**
   * A snapshot that reflects what a caller saw at `seenAt` (performance.now()): one whose read
   * started since, shared with every caller that needs one meanwhile, or a confirming read started
   * at most CONFIRM_WINDOW_MS before.
   */
  confirm(namespace: string, serviceName: string, seenAt: number): Promise<PodSnapshot> {
    const entry = this.entries.get(key(namespace, serviceName));
    if (entry && entry.startedAt >= seenAt) return entry.snapshot;
    if (entry?.confirming && entry.startedAt >= seenAt - CONFIRM_WINDOW_MS) return entry.snapshot;
    return this.start(namespace, serviceName, true);
  }

  /**
   * Applies a write made through this process to the cached snapshot, so that its next placement
   * sees it at once. A read under way may or may not include the write: the entry is dropped then.
   */
  patch(
    namespace: string,
    serviceName: string,
    podId: number,
    update: (record: PodRecord | undefined) => PodRecord | undefined,
  ): void {
    const name = key(namespace, serviceName);
    const entry = this.entries.get(name);
    if (!entry) return;
    if (entry.value === undefined || entry.expiresAt === Infinity) {
      this.entries.delete(name);
      return;
    }
    const pods = new Map(entry.value.pods);
    const record = update(pods.get(podId));
    if (record === undefined) pods.delete(podId);
    else pods.set(podId, record);
    entry.value = entry.value.withPods(pods);
    entry.snapshot = Promise.resolve(entry.value);
  }

  /**
   * Changes what this process alone knows (a placement under way) in the cached snapshot, without
   * dropping it: only a settled snapshot, and only the read `readAt` names when it is given (a
   * newer read holds no trace of the change). Returns the read it changed, or undefined.
   */
  adjust(
    namespace: string,
    serviceName: string,
    podId: number,
    update: (record: PodRecord) => PodRecord,
    readAt?: number,
  ): number | undefined {
    const entry = this.entries.get(key(namespace, serviceName));
    const value = entry?.value;
    if (entry === undefined || value === undefined || entry.expiresAt === Infinity)
      return undefined;
    if (readAt !== undefined && value.readAt !== readAt) return undefined;
    const record = value.pods.get(podId);
    if (record === undefined) return undefined;
    const pods = new Map(value.pods);
    pods.set(podId, update(record));
    entry.value = value.withPods(pods);
    entry.snapshot = Promise.resolve(entry.value);
    return value.readAt;
  }

  /** Forgets a service's snapshot. */
  invalidate(namespace: string, serviceName: string): void {
    this.entries.delete(key(namespace, serviceName));
  }

  private start(namespace: string, serviceName: string, confirming = false): Promise<PodSnapshot> {
    const name = key(namespace, serviceName);
    const startedAt = performance.now();
    const snapshot = this.read(namespace, serviceName);
    if (this.ttlMs > 0) {
      if (this.entries.size >= MAX_SERVICES) this.entries.clear();
      const previous = this.entries.get(name);
      // Concurrent callers share this read. Meanwhile the hot path keeps the previous snapshot if it
      // expired less than ttlMs ago; a failed read is not kept.
      const recent =
        previous?.value !== undefined && previous.expiresAt + this.ttlMs > Date.now()
          ? previous.value
          : undefined;
      const fresh: Entry = { snapshot, value: recent, startedAt, expiresAt: Infinity, confirming };
      this.entries.set(name, fresh);
      void snapshot.then(
        (value) => {
          fresh.value = value;
          fresh.expiresAt = Date.now() + this.ttlMs;
        },
        () => this.entries.get(name) === fresh && this.entries.delete(name),
      );
    }
    return snapshot;
  }
}

function key(namespace: string, serviceName: string): string {
  return `${namespace}\u0000${serviceName}`;
}
