import { DEFAULT_GONE_AFTER_MS } from '../core/stateful.constants';
import {
  goneAfterMsOf,
  isGone,
  parseLoadValue,
  parseStateValue,
  withHeldState,
  withLoad,
} from './pod-status';

describe('pod status values', () => {
  it('reads the load hash format and refuses anything else', () => {
    expect(parseLoadValue('12:1700000000000')).toEqual({ load: 12, updatedAt: 1700000000000 });
    expect(parseLoadValue('0.5:1')).toEqual({ load: 0.5, updatedAt: 1 });
    expect(parseLoadValue('1e-7:5')).toEqual({ load: 1e-7, updatedAt: 5 });
    for (const bad of [
      '12',
      ':1',
      '12:',
      ':5',
      'x:1',
      'a:5',
      '-1:5',
      '1:-5',
      '12:1.5',
      'Infinity:5',
      '1e999:5',
      '12-1700000000000',
    ]) {
      expect(parseLoadValue(bad)).toBeUndefined();
    }
  });

  it('reads a state string, and a Java status as a load report with Ready or Shutdown', () => {
    expect(parseStateValue('Draining')).toEqual({ state: 'Draining' });
    expect(parseStateValue('12-1700000000000-1')).toEqual({
      state: 'Ready',
      load: { load: 12, updatedAt: 1700000000000 },
      java: true,
    });
    expect(parseStateValue('3-1700000000000-0')).toEqual({
      state: 'Shutdown',
      load: { load: 3, updatedAt: 1700000000000 },
      java: true,
    });
    expect(parseStateValue('7-1700000000000')).toEqual({
      state: 'Ready',
      load: { load: 7, updatedAt: 1700000000000 },
      java: true,
    });
  });

  it("leaves out what Java's LoadInfo.build refuses: a negative load, a fourth part, a non-number", () => {
    for (const value of [
      '-2-1700000000000-1',
      '7-1700000000000-2',
      '7-1700000000000-1-1',
      '7-17000x-1',
      '2147483648-1700000000000-1',
      '7',
    ]) {
      expect(parseStateValue(value), value).toBeUndefined();
    }
    expect(parseStateValue('2147483647-1700000000000-1')?.load?.load).toBe(2147483647);
  });

  it('in the java key layout takes Java statuses only: a plain state there breaks Java readers', () => {
    expect(parseStateValue('Draining', true)).toBeUndefined();
    expect(parseStateValue('Ready', true)).toBeUndefined();
    expect(parseStateValue('12-1700000000000-1', true)?.load?.load).toBe(12);
  });

  it('a state held for a Java status wins over its availability; never over a plain state', () => {
    const java = parseStateValue('3-1700000000000-0')!;
    expect(withHeldState(java, 'Draining').state).toBe('Draining');
    expect(withHeldState(java, undefined).state).toBe('Shutdown');
    expect(withHeldState({ state: 'Ready' }, 'Draining').state).toBe('Ready');
  });

  it('keeps the newer of two load reports', () => {
    const older = { load: 1, updatedAt: 10 };
    const newer = { load: 2, updatedAt: 20 };
    expect(withLoad({ state: 'Ready', load: newer }, older)).toEqual({
      state: 'Ready',
      load: newer,
    });
    expect(withLoad({ state: 'Ready', load: older }, newer)).toEqual({
      state: 'Ready',
      load: newer,
    });
    expect(withLoad(undefined, older)).toEqual({ load: older });
  });

  it('a pod is gone when Shutdown, unknown, or its last report is older than goneAfterMs', () => {
    const now = 1_000_000;
    const report = (ageMs: number) => ({ load: 1, updatedAt: now - ageMs });
    const rule = { goneAfterMs: 120_000, missedBeats: 3 };
    expect(isGone(undefined, now, rule)).toBe(true);
    expect(isGone({}, now, rule)).toBe(true);
    expect(isGone({ state: 'Shutdown', load: report(0) }, now, rule)).toBe(true);
    expect(isGone({ load: report(120_001) }, now, rule)).toBe(true);
    expect(isGone({ load: report(119_000) }, now, rule)).toBe(false);
    expect(isGone({ state: 'Draining', load: report(0) }, now, rule)).toBe(false);
    expect(isGone({ state: 'Ready' }, now, rule)).toBe(false);
    // An explicit goneAfterMs wins over a stated period.
    expect(isGone({ load: report(119_000), everyMs: 1_000 }, now, rule)).toBe(false);
  });

  it('without goneAfterMs, a pod that stated its period is gone after missedBeats of them plus the table age', () => {
    const now = 1_000_000;
    const report = (ageMs: number) => ({ load: 1, updatedAt: now - ageMs });
    const rule = { missedBeats: 3 };
    expect(goneAfterMsOf({ everyMs: 5_000 }, rule, 0)).toBe(15_000);
    expect(goneAfterMsOf({ everyMs: 5_000 }, rule, 800)).toBe(15_800);
    expect(goneAfterMsOf({ everyMs: 5_000 }, { missedBeats: 5 }, 0)).toBe(25_000);
    expect(isGone({ load: report(15_001), everyMs: 5_000 }, now, rule)).toBe(true);
    expect(isGone({ load: report(15_001), everyMs: 5_000 }, now, rule, 500)).toBe(false);
    // A beat late by a 2 s pause is not three beats missed.
    expect(isGone({ load: report(7_500), everyMs: 5_000 }, now, rule)).toBe(false);
    // A pod that never stated a period (the originals' pods): 90000 ms.
    expect(goneAfterMsOf({}, rule, 0)).toBe(DEFAULT_GONE_AFTER_MS);
    expect(DEFAULT_GONE_AFTER_MS).toBe(90_000);
    expect(isGone({ load: report(89_000) }, now, rule)).toBe(false);
    expect(isGone({ load: report(90_001) }, now, rule)).toBe(true);
  });
});
