// The input stage: turns a batch's x (token ids or features) into the dense [B, T, I] rows
// the first recurrent layer reads, and sends the gradient back into an embedding table.

import type { Float } from '../cells/types.js';
import type { InputConfig } from './config.js';

/**
 * Writes the first layer's input for N = B*T (or B for one streaming step) rows.
 * out: [N, I] (overwritten). x: ids [N] or features [N, I]. emb: [vocab, dim] (embedding only).
 * The ids and values were validated before (see validate.ts).
 */
export function inputForward(spec: InputConfig, out: Float, x: Int32Array | Float32Array | Float64Array,
  N: number, emb: Float | null): void {
  switch (spec.kind) {
    case 'onehot': {
      const V = spec.size;
      out.fill(0, 0, N * V);
      for (let n = 0; n < N; n++) out[n * V + x[n]] = 1;
      return;
    }
    case 'embedding': {
      const D = spec.dim;
      for (let n = 0; n < N; n++) {
        const src = x[n] * D;
        const dst = n * D;
        for (let d = 0; d < D; d++) out[dst + d] = emb![src + d];
      }
      return;
    }
    case 'dense': {
      const len = N * spec.size;
      if (out.constructor === x.constructor) out.set(x.subarray(0, len) as Float);
      else for (let i = 0; i < len; i++) out[i] = x[i];
      return;
    }
  }
}

/**
 * Embedding backward: dEmb[id] += dx[n] for every row n (a scatter-add; rows that share an id
 * add up). dEmb: [vocab, dim], zeroed by the caller. dx: [N, dim]. ids: [N].
 */
export function embeddingBackward(dEmb: Float, dx: Float, ids: Int32Array, N: number, D: number): void {
  for (let n = 0; n < N; n++) {
    const dst = ids[n] * D;
    const src = n * D;
    for (let d = 0; d < D; d++) dEmb[dst + d] += dx[src + d];
  }
}
