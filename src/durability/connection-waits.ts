interface Waiter<Answer> {
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/**
 * Group commit on one connection. WAIT blocks the connection that sends it until the replicas
 * have that connection's earlier writes, so a WAIT after every write would queue each write
 * behind the one before's replica round trip. Instead the writes sent since the last WAIT share
 * the next one, with at most one WAIT in flight: writes sent while it blocks share the one after.
 */
export class ConnectionWaits<Answer> {
  private covered: Waiter<Answer>[] = [];
  private busy = false;

  /** `sendWait` sends WAIT on the connection and resolves with what it answered. */
  constructor(private readonly sendWait: () => Promise<Answer>) {}

  /**
   * Call once a write has been sent on the connection: resolves with the answer of a WAIT sent
   * after it (the same microtask's writes share one), rejects if that WAIT fails.
   */
  afterWrite(): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.covered.push({ resolve, reject });
      if (this.busy) return;
      this.busy = true;
      queueMicrotask(() => this.sendNext());
    });
  }

  private sendNext(): void {
    const batch = this.covered;
    this.covered = [];
    if (batch.length === 0) {
      this.busy = false;
      return;
    }
    this.sendWait().then(
      (answer) => {
        batch.forEach((waiter) => waiter.resolve(answer));
        this.sendNext();
      },
      (error: unknown) => {
        batch.forEach((waiter) => waiter.reject(error));
        this.sendNext();
      },
    );
  }
}
