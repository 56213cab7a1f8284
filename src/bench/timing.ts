// Wall-clock timing: medians of repeated runs after warm-up.

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seconds since an arbitrary origin, with sub-microsecond resolution. */
export function nowSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Runs fn `warmup` times untimed, then `reps` times timed; returns the seconds of each. */
export function timeRuns(fn: () => void, warmup: number, reps: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = nowSeconds();
    fn();
    times.push(nowSeconds() - t0);
  }
  return times;
}
