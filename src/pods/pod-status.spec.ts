import { isGone, parseLoadValue, parseStateValue, withLoad } from './pod-status';

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
    });
    expect(parseStateValue('3-1700000000000-0')).toEqual({
      state: 'Shutdown',
      load: { load: 3, updatedAt: 1700000000000 },
    });
    expect(parseStateValue('7-1700000000000')).toEqual({
      state: 'Ready',
      load: { load: 7, updatedAt: 1700000000000 },
    });
    expect(parseStateValue('7-1700000000000-2')).toEqual({ state: '7-1700000000000-2' });
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
    expect(isGone(undefined, now, 120_000)).toBe(true);
    expect(isGone({}, now, 120_000)).toBe(true);
    expect(isGone({ state: 'Shutdown', load: report(0) }, now, 120_000)).toBe(true);
    expect(isGone({ load: report(120_001) }, now, 120_000)).toBe(true);
    expect(isGone({ load: report(119_000) }, now, 120_000)).toBe(false);
    expect(isGone({ state: 'Draining', load: report(0) }, now, 120_000)).toBe(false);
    expect(isGone({ state: 'Ready' }, now, 120_000)).toBe(false);
  });
});
