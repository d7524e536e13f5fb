/** Closed-loop throughput: `inFlight` callers each run `call` back to back for `durationMs`. */
export async function throughput(
  call: (i: number) => Promise<unknown>,
  inFlight: number,
  durationMs: number,
): Promise<number> {
  let done = 0;
  let next = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await call(next++);
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** What `compare` returns per contender: the median value and its median ratio to the first contender. */
export interface Compared {
  median: number;
  /** Median over rounds of (this contender / the first contender) in the same round. */
  ratio: number;
  rounds: number[];
}

/**
 * One warm-up pass, then `rounds` passes over every contender, the order rotating each round so
 * that none always runs first or last. Ratios are taken within a round, against `contenders[0]`.
 */
export async function compare(
  rounds: number,
  contenders: (() => Promise<number>)[],
): Promise<Compared[]> {
  for (const measure of contenders) await measure();
  const values = contenders.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + round) % contenders.length;
      values[index].push(await contenders[index]());
    }
  }
  return values.map((series) => ({
    median: median(series),
    ratio: median(series.map((value, round) => value / values[0][round])),
    rounds: series,
  }));
}

/** Compares a library call with its raw baseline: the ratio is library / baseline. */
export async function comparePair(
  rounds: number,
  measureLibrary: () => Promise<number>,
  measureBaseline: () => Promise<number>,
): Promise<{ library: number; baseline: number; ratio: number }> {
  const [baseline, library] = await compare(rounds, [measureBaseline, measureLibrary]);
  return { library: library.median, baseline: baseline.median, ratio: library.ratio };
}

/** Median over rounds of a[i] / b[i], for two contenders of the same `compare`. */
export function ratioOf(a: Compared, b: Compared): number {
  return median(a.rounds.map((value, round) => value / b.rounds[round]));
}
