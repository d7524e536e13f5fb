/**
 * At most one log line per key and interval: a fault that fails every request at once (a Redis
 * outage, a service with no available pod) writes one line a second per key, with how many lines
 * it held back since the last.
 */
export class RateLimitedLog {
  private readonly lines = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly intervalMs: number,
    /** Keys remembered at most: beyond, the oldest are forgotten (a key is a service name). */
    private readonly maxKeys = 10_000,
  ) {}

  /** `log(held)` now, with the lines held back since the last one, or nothing if one was just logged. */
  write(key: string, log: (held: number) => void, now = Date.now()): void {
    const last = this.lines.get(key);
    if (last !== undefined && now - last.at < this.intervalMs) {
      last.held++;
      return;
    }
    if (last === undefined && this.lines.size >= this.maxKeys) {
      this.lines.delete(this.lines.keys().next().value as string);
    }
    this.lines.set(key, { at: now, held: 0 });
    log(last?.held ?? 0);
  }
}
