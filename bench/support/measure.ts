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

/** Runs `warmup` then `rounds` measurements of a pair, alternating which side goes first. */
export async function comparePair(
  rounds: number,
  measureLibrary: () => Promise<number>,
  measureBaseline: () => Promise<number>,
): Promise<{ library: number; baseline: number; ratio: number }> {
  await measureLibrary();
  await measureBaseline();
  const library: number[] = [];
  const baseline: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0;
    const a = first ? await measureLibrary() : await measureBaseline();
    const b = first ? await measureBaseline() : await measureLibrary();
    const lib = first ? a : b;
    const base = first ? b : a;
    library.push(lib);
    baseline.push(base);
    ratios.push(lib / base);
  }
  return { library: median(library), baseline: median(baseline), ratio: median(ratios) };
}
