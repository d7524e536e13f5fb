import { pickPod, type PodSelectionInput } from './pod-selection';
import type { PodRecord } from './pod-status';

const fresh = (load: number, state?: string): PodRecord => ({
  state,
  load: { load, updatedAt: 1_000 },
});

const input = (overrides: Partial<PodSelectionInput> = {}): PodSelectionInput => ({
  pods: new Map([
    [0, fresh(10)],
    [1, fresh(3)],
    [2, fresh(7)],
  ]),
  nowMs: 1_000,
  maxAgeMs: 30_000,
  excludePods: new Set(),
  ...overrides,
});

describe('pickPod', () => {
  it('picks the lowest load', () => {
    expect(pickPod(input())).toBe(1);
  });

  it('skips excluded, Draining, Shutdown, full and stale pods, and pods without a load report', () => {
    expect(pickPod(input({ excludePods: new Set([1]) }))).toBe(2);
    expect(
      pickPod(
        input({
          pods: new Map([
            [1, fresh(3, 'Draining')],
            [2, fresh(7)],
          ]),
        }),
      ),
    ).toBe(2);
    expect(
      pickPod(
        input({
          pods: new Map([
            [1, fresh(3, 'Shutdown')],
            [2, fresh(7)],
          ]),
        }),
      ),
    ).toBe(2);
    expect(pickPod(input({ pods: new Map([[1, { state: 'Ready' }]]) }))).toBeNull();
    expect(pickPod(input({ maxLoad: 3 }))).toBeNull();
    expect(pickPod(input({ maxLoad: 7.5, excludePods: new Set([1]) }))).toBe(2);
    expect(pickPod(input({ nowMs: 40_000 }))).toBeNull();
  });

  it('treats any other state as Ready', () => {
    expect(pickPod(input({ pods: new Map([[1, fresh(3, 'Starting')]]) }))).toBe(1);
  });

  it('spreads ties at random', () => {
    const tied = input({
      pods: new Map([
        [4, fresh(1)],
        [5, fresh(1)],
        [6, fresh(2)],
      ]),
    });
    expect(pickPod(tied, () => 0)).toBe(4);
    expect(pickPod(tied, () => 0.99)).toBe(5);
  });

  it('loadTolerance picks uniformly among pods within the lowest load plus the tolerance', () => {
    const spread = input({ loadTolerance: 5 });
    const picks = new Set([0, 0.34, 0.67, 0.99].map((r) => pickPod(spread, () => r)));
    expect(picks).toEqual(new Set([1, 2]));
    expect(pickPod(input({ loadTolerance: 10 }), () => 0)).toBe(0);
  });
});
