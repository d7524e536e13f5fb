/**
 * Calls under way, by key, so that a second identical call shares the first one's answer instead of
 * making its own round trip (Java's zipCalling). A call leaves the table when it settles, or when
 * `forget` is told its answer may predate a write of this process.
 */
export class InFlightCalls<T, Extra = undefined> {
  private readonly calls = new Map<string, { promise: Promise<T>; extra: Extra }>();
  /** Calls that joined one under way. */
  shared = 0;

  /** The call under way for `key` whose `extra` passes `sameAs`, if any. */
  find(key: string, sameAs?: (extra: Extra) => boolean): Promise<T> | undefined {
    const call = this.calls.get(key);
    if (call === undefined || (sameAs !== undefined && !sameAs(call.extra))) return undefined;
    this.shared++;
    return call.promise;
  }

  /** Registers `promise` for `key` until it settles; `finish` must be called when it does. */
  add(key: string, promise: Promise<T>, extra: Extra): void {
    this.calls.set(key, { promise, extra });
  }

  /** The call for `key` settled: it leaves the table unless another took its place. */
  finish(key: string, promise: Promise<T>): void {
    if (this.calls.get(key)?.promise === promise) this.calls.delete(key);
  }

  forget(key: string): void {
    this.calls.delete(key);
  }

  forgetAll(): void {
    this.calls.clear();
  }
}
