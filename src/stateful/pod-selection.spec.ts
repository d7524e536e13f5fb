import { isFresh, pickLeastLoadedPod, type PodSelectionInput } from './pod-selection';

const input = (overrides: Partial<PodSelectionInput> = {}): PodSelectionInput => ({
  loads: new Map([
    [0, { load: 10, updatedAt: 1_000 }],
    [1, { load: 3, updatedAt: 1_000 }],
    [2, { load: 7, updatedAt: 1_000 }],
  ]),
  states: new Map(),
  nowMs: 1_000,
  maxAgeMs: 30_000,
  excludePods: new Set(),
  ...overrides,
});

describe('pickLeastLoadedPod', () => {
  it('picks the lowest load', () => {
    expect(pickLeastLoadedPod(input())).toBe(1);
  });

  it('skips excluded, Draining, full and stale pods', () => {
    expect(pickLeastLoadedPod(input({ excludePods: new Set([1]) }))).toBe(2);
    expect(pickLeastLoadedPod(input({ states: new Map([[1, 'Draining']]) }))).toBe(2);
    expect(pickLeastLoadedPod(input({ maxLoad: 3 }))).toBeNull();
    expect(pickLeastLoadedPod(input({ maxLoad: 7.5, excludePods: new Set([1]) }))).toBe(2);
    expect(pickLeastLoadedPod(input({ nowMs: 40_000 }))).toBeNull();
  });

  it('treats any state other than Draining as eligible', () => {
    expect(pickLeastLoadedPod(input({ states: new Map([[1, 'Starting']]) }))).toBe(1);
  });

  it('breaks ties with the random source', () => {
    const tied = input({
      loads: new Map([
        [4, { load: 0, updatedAt: 1_000 }],
        [5, { load: 0, updatedAt: 1_000 }],
        [6, { load: 1, updatedAt: 1_000 }],
      ]),
    });
    expect(pickLeastLoadedPod(tied, () => 0)).toBe(4);
    expect(pickLeastLoadedPod(tied, () => 0.99)).toBe(5);
    expect(pickLeastLoadedPod(tied, () => 1)).toBe(5);
  });

  it('returns null with no reports', () => {
    expect(pickLeastLoadedPod(input({ loads: new Map() }))).toBeNull();
  });
});

describe('isFresh', () => {
  it('accepts reports up to maxAgeMs old, and reports from the future', () => {
    expect(isFresh({ load: 0, updatedAt: 0 }, 100, 100)).toBe(true);
    expect(isFresh({ load: 0, updatedAt: 0 }, 101, 100)).toBe(false);
    expect(isFresh({ load: 0, updatedAt: 500 }, 100, 0)).toBe(true);
  });
});
