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
  /** uid -> every pod id a call acknowledged for that user, in order, with its time. */
  acknowledged: Map<string, { podId: number; at: number }[]>;
}

/**
 * Gateway-like load for fault tests: `workers` loops claiming a pod for random users with
 * setLinkedPodIfAbsent (one script, so one call is one Redis round trip) until stopped.
 */
export class LinkLoad {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly report: LoadReport = {
    succeeded: 0,
    failed: 0,
    unexpected: [],
    slowestMs: 0,
    acknowledged: new Map(),
  };

  constructor(
    private readonly executor: StatefulExecutorService,
    readonly users: string[],
    private readonly workers = 16,
    readonly namespace = 'load',
    readonly service = 'game',
  ) {}

  start(): void {
    active.add(this);
    this.running = true;
    this.loops = Array.from({ length: this.workers }, (_, worker) => this.loop(worker));
  }

  /** Resolves once `count` calls have succeeded since now (the deployment serves again), or rejects after timeoutMs. */
  async waitForSuccesses(count: number, timeoutMs = 15_000): Promise<void> {
    const target = this.report.succeeded + count;
    const deadline = Date.now() + timeoutMs;
    while (this.report.succeeded < target) {
      if (Date.now() > deadline) throw new Error(`load did not recover within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<LoadReport> {
    active.delete(this);
    this.running = false;
    await Promise.all(this.loops);
    return this.report;
  }

  private async loop(worker: number): Promise<void> {
    for (let i = worker; this.running; i += this.workers) {
      const uid = this.users[(i * 7919) % this.users.length];
      const started = Date.now();
      try {
        const podId = await this.executor.setLinkedPodIfAbsent(
          this.namespace,
          uid,
          this.service,
          i % 5,
          -1,
        );
        this.report.succeeded++;
        const list = this.report.acknowledged.get(uid) ?? [];
        list.push({ podId, at: Date.now() });
        this.report.acknowledged.set(uid, list);
      } catch (error) {
        this.report.failed++;
        this.report.lastFailureAt = Date.now();
        if (!(error instanceof RedisUnavailableError)) this.report.unexpected.push(error);
        await new Promise((resolve) => setTimeout(resolve, 10));
      } finally {
        this.report.slowestMs = Math.max(this.report.slowestMs, Date.now() - started);
      }
    }
  }
}
