import { explainNoPod, pickPod, type PodSelectionInput } from './pod-selection';
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

describe('explainNoPod', () => {
  const now = 1_700_000_000_000;
  const base = { nowMs: now, maxAgeMs: 30_000, excludePods: new Set<number>() };
  const report = (ageMs: number, load = 1) => ({ load: { load, updatedAt: now - ageMs } });

  it('says when no pod is known, and when every report is too old', () => {
    expect(explainNoPod({ ...base, pods: new Map() })).toBe(
      'no pod of the service is known: its pods must report their load',
    );
    const stale = new Map([
      [0, report(45_000)],
      [1, report(60_000)],
      [2, report(90_000)],
    ]);
    expect(explainNoPod({ ...base, pods: stale })).toBe(
      '3 pods known, none with a load report newer than 30000 ms: pods must keep reporting',
    );
  });

  it('counts what keeps each pod out', () => {
    const pods = new Map<number, PodRecord>([
      [0, { ...report(1_000), state: 'Draining' }],
      [1, { ...report(1_000), state: 'Draining' }],
      [2, report(1_000, 500)],
      [3, report(1_000)],
      [4, { state: 'Ready' }],
    ]);
    expect(explainNoPod({ ...base, pods, maxLoad: 100, excludePods: new Set([3]) })).toBe(
      '5 pods known, none available: 2 Draining, 1 at or above maxLoad 100, 1 excluded, 1 without a load report',
    );
  });
});
