import { RedisUnavailableError, type StatefulExecutorService } from '../../src';

const active = new Set<LinkLoad>();

/** For afterEach: stops any load a failed test left running, so that Jest can exit. */
export async function stopAllLoads(): Promise<void> {
  await Promise.all([...active].map((load) => load.stop()));
}

export interface LoadReport {
  succeeded: number;
  failed: number;
  /** Errors that were not RedisUnavailableError: always a bug. */
  unexpected: unknown[];
  /** Longest time one call took to settle, in ms. */
  slowestMs: number;
  /** When the last failure happened (Date.now()), or undefined. */
  lastFailureAt?: number;
  /** uid -> every pod id a call acknowledged for that user, with when the call started and ended. */
  acknowledged: Map<string, { podId: number; startedAt: number; at: number }[]>;
}

/**
 * Gateway-like load for fault tests: `workers` loops claiming pods with setLinkedPodIfAbsent (one
 * script, one round trip) until stopped. Call n claims user `<prefix>-<n/4>` for pod n % 5, so
 * new users keep arriving (every fault hits fresh writes) and four callers race on each user.
 */
export class LinkLoad {
  private running = false;
  private next = 0;
  private loops: Promise<void>[] = [];
  private readonly failureTimes: number[] = [];
  private readonly report: LoadReport = {
    succeeded: 0,
    failed: 0,
    unexpected: [],
    slowestMs: 0,
    acknowledged: new Map(),
  };

  constructor(
    private readonly executor: StatefulExecutorService,
    readonly prefix: string,
    private readonly workers = 16,
    readonly namespace = 'load',
    readonly service = 'game',
  ) {}

  start(): void {
    active.add(this);
    this.running = true;
    this.loops = Array.from({ length: this.workers }, () => this.loop());
  }

  /** Resolves once `count` more calls have succeeded (the deployment serves again); rejects after timeoutMs. */
  async waitForSuccesses(count: number, timeoutMs = 20_000): Promise<void> {
    const target = this.report.succeeded + count;
    const deadline = Date.now() + timeoutMs;
    while (this.report.succeeded < target) {
      if (Date.now() > deadline) throw new Error(`load did not recover within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Calls that started after `time` (Date.now()) and were acknowledged. */
  acknowledgedStartingAfter(time: number): number {
    let count = 0;
    for (const acks of this.report.acknowledged.values()) {
      count += acks.filter((ack) => ack.startedAt > time).length;
    }
    return count;
  }

  /** Calls failed so far. */
  get failures(): number {
    return this.report.failed;
  }

  /** Calls that failed after `time` (Date.now()). */
  failuresSince(time: number): number {
    return this.failureTimes.filter((at) => at > time).length;
  }

  async stop(): Promise<LoadReport> {
    active.delete(this);
    this.running = false;
    await Promise.all(this.loops);
    return this.report;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const n = this.next++;
      const uid = `${this.prefix}-${Math.floor(n / 4)}`;
      const started = Date.now();
      try {
        const podId = await this.executor.setLinkedPodIfAbsent(
          this.namespace,
          uid,
          this.service,
          n % 5,
          -1,
        );
        this.report.succeeded++;
        const list = this.report.acknowledged.get(uid) ?? [];
        list.push({ podId, startedAt: started, at: Date.now() });
        this.report.acknowledged.set(uid, list);
      } catch (error) {
        this.report.failed++;
        this.report.lastFailureAt = Date.now();
        this.failureTimes.push(this.report.lastFailureAt);
        if (!(error instanceof RedisUnavailableError)) this.report.unexpected.push(error);
        await new Promise((resolve) => setTimeout(resolve, 10));
      } finally {
        this.report.slowestMs = Math.max(this.report.slowestMs, Date.now() - started);
      }
    }
  }
}

/**
 * Checks a load's users against what is stored: each user's link key and hash entry agree, every
 * call acknowledged after `since` named the stored pod; returns how many acknowledged claims the
 * store no longer holds (writes lost in a failover).
 */
export async function auditUsers(
  executor: StatefulExecutorService,
  load: LinkLoad,
  report: LoadReport,
  since: number,
): Promise<{ users: number; lost: number; disagreeingSince: number; hashMismatches: number }> {
  let lost = 0;
  let disagreeingSince = 0;
  let hashMismatches = 0;
  for (const [uid, acks] of report.acknowledged) {
    const stored = await executor.getLinkedPod(load.namespace, uid, load.service);
    const listed = (await executor.getLinkService(load.namespace, uid)).get(load.service) ?? null;
    if (listed !== stored) hashMismatches++;
    lost += acks.filter((ack) => ack.podId !== stored).length;
    disagreeingSince += acks.filter((ack) => ack.at > since && ack.podId !== stored).length;
  }
  return { users: report.acknowledged.size, lost, disagreeingSince, hashMismatches };
}
