/**
 * Calls under way, by key, so that a second identical call shares the first one's answer instead of
 * making its own round trip (Java's zipCalling). A call leaves the table when it is answered, or
 * when `forget` is told its answer may predate a write of this process. A thin Map: on the hot path
 * it costs a lookup, an insert and a delete.
 */
export class InFlightCalls<V> {
  private readonly calls = new Map<string, V>();
  /** Calls that joined one under way. */
  shared = 0;

  find(key: string): V | undefined {
    return this.calls.get(key);
  }

  add(key: string, call: V): void {
    this.calls.set(key, call);
  }

  /** The call for `key` was answered, or must not take new callers. */
  forget(key: string): void {
    this.calls.delete(key);
  }

  forgetAll(): void {
    this.calls.clear();
  }
}
