import { PodSnapshot } from './pod-snapshot';
import { PodTable } from './pod-table';

/** A read that counts its calls and resolves when told to. */
function reads() {
  let calls = 0;
  const pending: ((snapshot: PodSnapshot) => void)[] = [];
  return {
    get calls() {
      return calls;
    },
    read: () => {
      calls++;
      return new Promise<PodSnapshot>((resolve) => pending.push(resolve));
    },
    resolveAll: () =>
      pending.splice(0).forEach((resolve) => resolve(new PodSnapshot(1, new Map()))),
  };
}

describe('PodTable', () => {
  it('shares one read among concurrent callers and keeps it for ttlMs', async () => {
    const source = reads();
    const table = new PodTable(60_000, source.read);
    const waiting = Promise.all(Array.from({ length: 50 }, () => table.get('ns', 'svc')));
    source.resolveAll();
    const snapshots = await waiting;
    expect(source.calls).toBe(1);
    expect(new Set(snapshots).size).toBe(1);
    await table.get('ns', 'svc');
    expect(source.calls).toBe(1);
    void table.get('ns', 'other');
    expect(source.calls).toBe(2);
  });

  it('reads every call with ttlMs 0, and again after invalidate', () => {
    const source = reads();
    const table = new PodTable(0, source.read);
    void table.get('ns', 'svc');
    void table.get('ns', 'svc');
    expect(source.calls).toBe(2);
    const cached = new PodTable(60_000, source.read);
    void cached.get('ns', 'svc');
    cached.invalidate('ns', 'svc');
    void cached.get('ns', 'svc');
    expect(source.calls).toBe(4);
    source.resolveAll();
  });

  it('does not keep a failed read', async () => {
    let fail = true;
    let calls = 0;
    const table = new PodTable(60_000, () => {
      calls++;
      return fail
        ? Promise.reject(new Error('down'))
        : Promise.resolve(new PodSnapshot(1, new Map()));
    });
    await expect(table.get('ns', 'svc')).rejects.toThrow('down');
    fail = false;
    await expect(table.get('ns', 'svc')).resolves.toBeInstanceOf(PodSnapshot);
    expect(calls).toBe(2);
  });

  it('confirm shares a read started at or after the given time, else starts one', async () => {
    const source = reads();
    const table = new PodTable(60_000, source.read);
    const first = table.get('ns', 'svc');
    source.resolveAll();
    await first;
    const seen = performance.now();
    const confirming = [table.confirm('ns', 'svc', seen), table.confirm('ns', 'svc', seen)];
    expect(source.calls).toBe(2);
    source.resolveAll();
    await Promise.all(confirming);
    // A confirming read started just before a later sighting confirms it too (at most one read per
    // window for a pod that never reports); a plain read does not.
    await table.confirm('ns', 'svc', performance.now());
    expect(source.calls).toBe(2);
  });

  it('keeps the previous snapshot for the hot path while a refresh is under way', async () => {
    const source = reads();
    const table = new PodTable(20, source.read);
    const first = table.get('ns', 'svc');
    source.resolveAll();
    const snapshot = await first;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(table.peek('ns', 'svc')).toBeUndefined();
    void table.get('ns', 'svc'); // starts the refresh
    expect(table.peek('ns', 'svc')).toBe(snapshot);
    source.resolveAll();
  });

  it('patches a cached snapshot with a write made through the process', async () => {
    const source = reads();
    const table = new PodTable(60_000, source.read);
    const first = table.get('ns', 'svc');
    source.resolveAll();
    await first;
    table.patch('ns', 'svc', 3, () => ({ state: 'Draining' }));
    expect(table.peek('ns', 'svc')?.pods.get(3)).toEqual({ state: 'Draining' });
    table.patch('ns', 'svc', 3, () => undefined);
    expect(table.peek('ns', 'svc')?.pods.has(3)).toBe(false);
    expect(source.calls).toBe(1);
  });
});
