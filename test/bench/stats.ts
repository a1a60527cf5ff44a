export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function report(name: string, figure: string, target: string, pass: boolean, baseline?: string): void {
  const mark = pass ? 'PASS' : 'MISS';
  console.log(`${mark}  ${name.padEnd(46)} ${figure.padEnd(34)} target ${target}${baseline ? `   (baseline ${baseline})` : ''}`);
}

/** Runs `task` from `concurrency` loops until `total` tasks are done; returns tasks per second. */
export async function throughput(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        await task(i);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}
