// Timescales per unit, from a trace of the model on its own data. LSTM: the estimate of Mahto
// et al. (ICLR 2021), T = -1 / ln(mean forget gate), the time constant of an exponential
// with that average decay per step. pLSTM: the learned exponent p, and how long the unit lets
// its memory run before the reset gate starts it afresh (the age reached at each reset).
//
// B = batch, T = time steps, H = hidden size of one direction.
import type { TraceDirection } from '../model/trace.js';

/** The LSTM timescale per unit: -1 / ln(mean over batch and steps of f_j); Infinity where f = 1. [H] */
export function lstmTimescales(d: TraceDirection): Float64Array {
  const f = d.gates.f;
  if (d.cell !== 'lstm' || f === undefined) throw new RangeError(`lstmTimescales needs an LSTM trace, got ${d.cell}`);
  const H = d.H, rows = f.length / H;
  const out = new Float64Array(H); // [H]
  for (let j = 0; j < H; j++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += f[r * H + j];
    const mean = sum / rows;
    out[j] = mean >= 1 ? Infinity : -1 / Math.log(mean);
  }
  return out;
}

/**
 * The pLSTM's resets per unit: a step whose reset gate r exceeds `threshold` (default 0.5)
 * resets the age; the age the unit had reached just before (a_{t-1}: the steps run since the
 * last reset, or since the start of the sequence) is the interval. Returns the intervals of
 * every unit ([H] arrays) over all rows.
 */
export function resetIntervals(d: TraceDirection, B: number, T: number, threshold = 0.5): number[][] {
  const r = d.gates.r, a = d.gates.a;
  if (d.cell !== 'plstm' || r === undefined || a === undefined) throw new RangeError(`resetIntervals needs a pLSTM trace, got ${d.cell}`);
  const H = d.H;
  const out: number[][] = Array.from({ length: H }, () => []);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      let before = 0; // a_{t-1}: the initial age is 0 (a zero state)
      for (let t = 0; t < T; t++) {
        const k = (b * T + t) * H + j;
        if (r[k] > threshold) out[j].push(before);
        before = a[k];
      }
    }
  }
  return out;
}
