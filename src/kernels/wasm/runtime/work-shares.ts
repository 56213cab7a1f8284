// How one wasm backend call splits its work over the backend's threads: batch rows for the
// time loops, relayouts and row-wise GEMMs, ranges of multiples of 4 for the reductions whose
// output rows or columns are split. Small calls stay on the calling thread.
import type { WasmContext } from './context.js';

/** Batch-row shares [b0, b1) for one call; one share when the work is small. */
export function rowShares(ctx: WasmContext, B: number, flops: number): Array<[number, number]> {
  const n = flops < ctx.minParallel ? 1 : Math.min(ctx.threads, B, ctx.pool.threads);
  const shares: Array<[number, number]> = [];
  for (let s = 0; s < n; s++) shares.push([Math.floor((B * s) / n), Math.floor((B * (s + 1)) / n)]);
  return shares;
}

/** Ranges of multiples of 4 of [0, n) (n % 4 == 0) for `parts` threads. */
export function splitBy4(n: number, parts: number, s: number): [number, number] {
  const q = n / 4;
  return [Math.floor((q * s) / parts) * 4, Math.floor((q * (s + 1)) / parts) * 4];
}
