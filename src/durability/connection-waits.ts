/** What one WAIT answered, and the socket it was answered on. */
export interface WaitAnswer {
  /** Replicas that had every earlier write of the connection when WAIT returned. */
  replicas: number;
  socket: unknown;
}

/** The two things `ConnectionWaits` needs from a connection. */
export interface WaitingConnection {
  /** Sends `WAIT replicas timeoutMs` on the connection; resolves with its reply. */
  sendWait(): Promise<unknown>;
  /** The socket the connection uses now (ioredis opens a new one on each reconnection). */
  socket(): unknown;
}

interface Waiter {
  resolve(answer: WaitAnswer): void;
  reject(error: unknown): void;
}

/**
 * Group commit on one connection. WAIT blocks the connection that sends it until the replicas
 * have that connection's earlier writes, so a WAIT after every write would queue each write
 * behind the one before's replica round trip. Instead the writes sent since the last WAIT share
 * the next one, with at most one WAIT in flight: writes sent while it blocks share the one after.
 */
export class ConnectionWaits {
  private covered: Waiter[] = [];
  private busy = false;

  constructor(private readonly connection: WaitingConnection) {}

  /**
   * Call once a write has been sent on the connection: resolves with the answer of a WAIT sent
   * after it (the same microtask's writes share one), rejects if that WAIT fails.
   */
  afterWrite(): Promise<WaitAnswer> {
    return new Promise<WaitAnswer>((resolve, reject) => {
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
    this.connection.sendWait().then(
      (reply) => {
        // Read in the reply's own turn: a reconnection cannot come between.
        const answer = { replicas: Number(reply), socket: this.connection.socket() };
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
