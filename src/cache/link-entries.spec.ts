import { LinkEntries } from './link-entries';

function entries(maxEntries = 10, ttlMs = 1_000) {
  let now = 0;
  const cache = new LinkEntries(maxEntries, ttlMs, () => now);
  return { cache, advance: (ms: number) => (now += ms) };
}

const persistent = (podId: number) => ({ podId, pttlMs: -1 });

describe('LinkEntries', () => {
  it('stores an answer nothing changed meanwhile, and answers it until ttlMs', () => {
    const { cache, advance } = entries();
    cache.settle(cache.begin('k'), persistent(3), false);
    expect(cache.podOf('k', true)).toBe(3);
    advance(999);
    expect(cache.podOf('k', false)).toBe(3);
    advance(1);
    expect(cache.podOf('k', false)).toBeUndefined();
    expect(cache.counts).toMatchObject({ hits: 2, misses: 1 });
  });

  it('does not store an answer whose key was invalidated while it was fetched', () => {
    const { cache } = entries();
    const admission = cache.begin('k');
    cache.invalidate('k');
    cache.settle(admission, persistent(3), false);
    expect(cache.podOf('k', false)).toBeUndefined();
  });

  it('does not store an answer fetched across a flush', () => {
    const { cache } = entries();
    const admission = cache.begin('k');
    cache.flush();
    cache.settle(admission, persistent(3), false);
    expect(cache.size).toBe(0);
  });

  it("a write's answer wins over reads begun before it settled", () => {
    const { cache } = entries();
    const read = cache.begin('k');
    const write = cache.begin('k');
    cache.settle(write, persistent(2), true);
    cache.settle(read, persistent(1), false); // read before the write, answered after it
    expect(cache.podOf('k', false)).toBe(2);
  });

  it('keeps a temporary link no longer than its TTL, counted from the start of the call', () => {
    const { cache, advance } = entries();
    const admission = cache.begin('k');
    advance(50);
    cache.settle(admission, { podId: 1, pttlMs: 100 }, false);
    expect(cache.podOf('k', true)).toBeUndefined(); // computeLinkedPod needs a persistent link
    advance(49);
    expect(cache.podOf('k', false)).toBe(1);
    advance(1);
    expect(cache.podOf('k', false)).toBeUndefined();
  });

  it('drops the key when the answer is no link or failed', () => {
    const { cache } = entries();
    cache.settle(cache.begin('k'), persistent(1), false);
    cache.settle(cache.begin('k'), null, false);
    expect(cache.podOf('k', false)).toBeUndefined();
  });

  it('evicts the least recently used entry, giving a used one a second chance', () => {
    const { cache } = entries(3);
    for (const key of ['a', 'b', 'c']) cache.settle(cache.begin(key), persistent(1), false);
    expect(cache.podOf('a', false)).toBe(1);
    cache.settle(cache.begin('d'), persistent(1), false);
    expect(cache.size).toBe(3);
    expect(cache.counts.evictions).toBe(1);
    expect(cache.podOf('b', false)).toBeUndefined();
    expect(cache.podOf('a', false)).toBe(1);
  });

  it('drops what a predicate selects and fails answers under way', () => {
    const { cache } = entries();
    cache.settle(cache.begin('x1'), persistent(1), false);
    cache.settle(cache.begin('x2'), persistent(2), false);
    const pending = cache.begin('x3');
    cache.drop((_key, podId) => podId === 1);
    cache.settle(pending, persistent(1), false);
    expect(cache.podOf('x1', false)).toBeUndefined();
    expect(cache.podOf('x2', false)).toBe(2);
    expect(cache.podOf('x3', false)).toBeUndefined();
  });
});

describe("LinkEntries and this process's writes", () => {
  it('a write that went stale drops what is cached: it may be older than the write', () => {
    const { cache } = entries();
    const first = cache.begin('k');
    const second = cache.begin('k');
    cache.settle(first, persistent(1), true); // stores 1, marks the second stale
    cache.settle(second, persistent(2), true); // Redis holds 2: 1 must not stay
    expect(cache.podOf('k', false)).toBeUndefined();
  });

  it('a write while nothing can be admitted fails the answers under way', () => {
    const { cache } = entries();
    const read = cache.begin('k');
    cache.written('k');
    cache.settle(read, persistent(1), false);
    expect(cache.podOf('k', false)).toBeUndefined();
    expect(cache.counts.invalidations).toBe(0);
  });

  it('an insert into a full cache of hot entries takes a bounded number of steps', () => {
    const { cache } = entries(1_000);
    for (let i = 0; i < 1_000; i++) cache.settle(cache.begin(`k${i}`), persistent(1), false);
    for (let i = 0; i < 1_000; i++) cache.podOf(`k${i}`, false);
    cache.settle(cache.begin('new'), persistent(1), false);
    expect(cache.size).toBe(1_000);
    expect(cache.counts.evictions).toBe(1);
    // Only the first 32 hot entries lost their flag and moved back; the 33rd was evicted.
    expect(cache.podOf('k32', false)).toBeUndefined();
    expect(cache.podOf('k0', false)).toBe(1);
  });
});
