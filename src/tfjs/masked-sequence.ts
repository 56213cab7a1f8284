// tf.layers.RNN's masking on the fused op, exactly. TF.js's rule: at a masked step the cell does
// not run; the output and the state are those of the step before (the initial state before the
// first unmasked step). Rows are independent, so that equals running each row over only its
// unmasked steps (its "kept" steps, in order) and holding each output until the next kept step.
//
// The rows are grouped by their number of kept steps L, each group runs as one fused op on its
// kept steps [n, L, I], and one gather lays the results out as the unmasked op would ([B, T +
// K, H]). The row gathers carry their own gradient (a scatter-add in JS: TF.js's gather gradient
// needs UnsortedSegmentSum, which its wasm backend lacks), so every gradient flows back.
// Cost: one fused op per distinct length (right-padded batches of a few lengths stay cheap; a
// batch where every row has its own length runs B ops of one row each).
import * as tfc from '@tensorflow/tfjs-core';
import type { InitialState } from './fused-sequence.js';

/** Runs the fused op on x [n, L, I] from an initial state (rows of the caller's); returns [n, L + K, H]. */
export type SequenceRunner = (x: tfc.Tensor3D, initial: InitialState | null) => tfc.Tensor3D;

/**
 * The fused op's result [B, T + K, H] under a mask: rows 0..T-1 the outputs (held at masked
 * steps), then the final c (and a) after each row's last kept step. `keep` [B, T] is the mask
 * as read (non-zero = the step counts), already in the order the steps are read (reversed for
 * goBackwards). `stateCount` is 2 (h, c) or 3 (h, c, a): it sizes the zero initial state.
 */
export function maskedSequence(run: SequenceRunner, x: tfc.Tensor3D, keep: ArrayLike<number>,
  initial: InitialState | null, K: number, H: number, stateCount: number): tfc.Tensor3D {
  const [B, T, I] = x.shape;
  const kept: number[][] = []; // per row, the kept step indices
  for (let b = 0; b < B; b++) {
    const steps: number[] = [];
    for (let t = 0; t < T; t++) if (keep[b * T + t] !== 0) steps.push(t);
    kept.push(steps);
  }
  if (kept.every((s) => s.length === T)) return run(x, initial);

  // Sources of the result's rows, stacked into one [N, H]: the initial h, c (and a) of every
  // row (what a row shows before its first kept step), then each group's fused output.
  const zeros = tfc.zeros([B, H]) as tfc.Tensor2D;
  const init = [initial?.h ?? zeros, initial?.c ?? zeros];
  if (stateCount === 3) init.push(initial?.a ?? zeros);
  const sources: tfc.Tensor[] = [...init]; // each [rows, H]
  let offset = init.length * B;
  const where = new Int32Array(B * (T + K)); // source row of each result row
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) where[b * (T + K) + t] = b; // initial h
    for (let k = 0; k < K; k++) where[b * (T + K) + T + k] = (k + 1) * B + b; // initial c, a
  }

  const groups = new Map<number, number[]>(); // L -> rows
  kept.forEach((s, b) => {
    if (s.length > 0) groups.set(s.length, [...(groups.get(s.length) ?? []), b]);
  });
  const xRows = tfc.reshape(x, [B * T, I]); // [B*T, I]
  for (const [L, rows] of groups) {
    const n = rows.length;
    const pick = new Int32Array(n * L); // [n, L]: flat step of x
    rows.forEach((b, j) => kept[b].forEach((t, k) => { pick[j * L + k] = b * T + t; }));
    const xg = tfc.reshape(gatherRows(xRows, pick), [n, L, I]) as tfc.Tensor3D;
    const rowIds = Int32Array.from(rows);
    const ig: InitialState | null = initial === null ? null : {
      h: gatherRows(initial.h, rowIds), c: gatherRows(initial.c, rowIds), a: initial.a === null ? null : gatherRows(initial.a, rowIds),
    };
    const out = run(xg, ig); // [n, L + K, H]
    sources.push(tfc.reshape(out, [n * (L + K), H]));
    rows.forEach((b, j) => {
      const base = offset + j * (L + K);
      let k = 0; // kept steps read so far
      for (let t = 0; t < T; t++) {
        if (k < L && kept[b][k] === t) k++;
        if (k > 0) where[b * (T + K) + t] = base + k - 1; // h after the k-th kept step
      }
      for (let r = 0; r < K; r++) where[b * (T + K) + T + r] = base + L + r; // final c, a
    });
    offset += n * (L + K);
  }
  return tfc.reshape(gatherRows(tfc.concat(sources, 0), where), [B, T + K, H]) as tfc.Tensor3D;
}

/** Rows `rows` of m [N, C] as [rows.length, C], differentiable on every TF.js backend. */
function gatherRows(m: tfc.Tensor, rows: Int32Array): tfc.Tensor2D {
  const [N, C] = m.shape;
  const op = tfc.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const src = args[0] as tfc.Tensor2D;
    const value = tfc.gather(src, tfc.tensor1d(rows, 'int32')) as tfc.Tensor2D;
    const gradFunc = (dy: tfc.Tensor2D): tfc.Tensor[] => {
      const d = dy.dataSync(); // [rows.length, C]
      const out = new Float32Array(N * C); // [N, C]: each picked row's gradient added to its source
      for (let r = 0; r < rows.length; r++) {
        const from = r * C, to = rows[r] * C;
        for (let j = 0; j < C; j++) out[to + j] += d[from + j];
      }
      return [tfc.tensor2d(out, [N, C])];
    };
    return { value, gradFunc };
  });
  return op(m as tfc.Tensor2D) as tfc.Tensor2D;
}
