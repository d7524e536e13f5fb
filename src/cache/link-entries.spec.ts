import { LinkEntries } from './link-entries';

function entries(maxEntries = 10, ttlMs = 1_000) {
  let now = 0;
  const cache = new LinkEntries(maxEntries, ttlMs, () => now);
  return { cache, advance: (ms: number) => (now += ms) };
}

const persistent = (podId: number, epoch = 7) => ({ podId, pttlMs: -1, epoch });

describe('LinkEntries', () => {
  it('stores an answer nothing changed meanwhile, and answers it until ttlMs', () => {
    const { cache, advance } = entries();
    cache.settle(cache.begin('k'), persistent(3), false);
    expect(cache.linkOf('k', true)?.podId).toBe(3);
    advance(999);
    expect(cache.linkOf('k', false)?.podId).toBe(3);
    advance(1);
    expect(cache.linkOf('k', false)?.podId).toBeUndefined();
    expect(cache.counts).toMatchObject({ hits: 2, misses: 1 });
  });

  it('does not store an answer whose key was invalidated while it was fetched', () => {
    const { cache } = entries();
    const admission = cache.begin('k');
    cache.invalidate('k');
    cache.settle(admission, persistent(3), false);
    expect(cache.linkOf('k', false)?.podId).toBeUndefined();
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
    expect(cache.linkOf('k', false)?.podId).toBe(2);
  });

  it('keeps a temporary link no longer than its TTL, counted from the start of the call', () => {
    const { cache, advance } = entries();
    const admission = cache.begin('k');
    advance(50);
    cache.settle(admission, { podId: 1, pttlMs: 100, epoch: 9 }, false);
    expect(cache.linkOf('k', true)?.podId).toBeUndefined(); // computeLinkedPod needs a persistent link
    advance(49);
    expect(cache.linkOf('k', false)?.podId).toBe(1);
    advance(1);
    expect(cache.linkOf('k', false)?.podId).toBeUndefined();
  });

  it('drops the key when the answer is no link or failed', () => {
    const { cache } = entries();
    cache.settle(cache.begin('k'), persistent(1), false);
    cache.settle(cache.begin('k'), null, false);
    expect(cache.linkOf('k', false)?.podId).toBeUndefined();
  });

  it('evicts the least recently used entry, giving a used one a second chance', () => {
    const { cache } = entries(3);
    for (const key of ['a', 'b', 'c']) cache.settle(cache.begin(key), persistent(1), false);
    expect(cache.linkOf('a', false)?.podId).toBe(1);
    cache.settle(cache.begin('d'), persistent(1), false);
    expect(cache.size).toBe(3);
    expect(cache.counts.evictions).toBe(1);
    expect(cache.linkOf('b', false)?.podId).toBeUndefined();
    expect(cache.linkOf('a', false)?.podId).toBe(1);
  });

  it('drops what a predicate selects and fails answers under way', () => {
    const { cache } = entries();
    cache.settle(cache.begin('x1'), persistent(1), false);
    cache.settle(cache.begin('x2'), persistent(2), false);
    const pending = cache.begin('x3');
    cache.drop((_key, podId) => podId === 1);
    cache.settle(pending, persistent(1), false);
    expect(cache.linkOf('x1', false)?.podId).toBeUndefined();
    expect(cache.linkOf('x2', false)?.podId).toBe(2);
    expect(cache.linkOf('x3', false)?.podId).toBeUndefined();
  });
});

describe("LinkEntries and this process's writes", () => {
  it('a write that went stale drops what is cached: it may be older than the write', () => {
    const { cache } = entries();
    const first = cache.begin('k');
    const second = cache.begin('k');
    cache.settle(first, persistent(1), true); // stores 1, marks the second stale
    cache.settle(second, persistent(2), true); // Redis holds 2: 1 must not stay
    expect(cache.linkOf('k', false)?.podId).toBeUndefined();
  });

  it('a write while nothing can be admitted fails the answers under way', () => {
    const { cache } = entries();
    const read = cache.begin('k');
    cache.written('k');
    cache.settle(read, persistent(1), false);
    expect(cache.linkOf('k', false)?.podId).toBeUndefined();
    expect(cache.counts.invalidations).toBe(0);
  });

  it('an insert into a full cache of hot entries takes a bounded number of steps', () => {
    const { cache } = entries(1_000);
    for (let i = 0; i < 1_000; i++) cache.settle(cache.begin(`k${i}`), persistent(1), false);
    for (let i = 0; i < 1_000; i++) cache.linkOf(`k${i}`, false);
    cache.settle(cache.begin('new'), persistent(1), false);
    expect(cache.size).toBe(1_000);
    expect(cache.counts.evictions).toBe(1);
    // Only the first 32 hot entries lost their flag and moved back; the 33rd was evicted.
    expect(cache.linkOf('k32', false)?.podId).toBeUndefined();
    expect(cache.linkOf('k0', false)?.podId).toBe(1);
  });
});

describe('LinkEntries and epochs', () => {
  it('an entry carries its link epoch and takes the new one in place', () => {
    const { cache } = entries();
    cache.settle(cache.begin('k'), persistent(3, 11), false);
    expect(cache.linkOf('k', true)).toMatchObject({ podId: 3, epoch: 11, persistent: true });
    cache.settle(cache.begin('k'), persistent(4, 12), true);
    expect(cache.linkOf('k', true)).toMatchObject({ podId: 4, epoch: 12 });
  });
});
