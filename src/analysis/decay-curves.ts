// Retention curves from the equations: how much of a value written into the cell state is
// still there n steps later when nothing new is written over it. For an LSTM with a constant
// forget gate f that is f^n (exponential); for a pLSTM unit with exponent p that never resets
// (r = 0, so the age grows by one a step from a0 = 0) it is the product of its forget gates,
// prod_{k=1..n} ((k + eps) / (k + 1))^p, which telescopes to about (n + 1)^(-p): a power law.

/** f^n for n = 0 .. N-1: an LSTM unit's retention with a constant forget gate f in (0, 1]. */
export function lstmRetention(f: number, N: number): Float64Array {
  const out = new Float64Array(N); // [N]
  let r = 1;
  for (let n = 0; n < N; n++) {
    out[n] = r;
    r *= f;
  }
  return out;
}

/**
 * A pLSTM unit's retention with exponent p and no reset, for n = 0 .. N-1: the product of the
 * forget gates f_k = ((a_k + eps) / (a_k + 1))^p over the n steps after the write, with ages
 * a_k = k (DESIGN.md section 1).
 */
export function plstmRetention(p: number, N: number, eps = 1e-3): Float64Array {
  const out = new Float64Array(N); // [N]
  let logR = 0; // sums in log space: the product of ~1e4 factors near 1 loses nothing
  for (let n = 0; n < N; n++) {
    out[n] = Math.exp(logR);
    const a = n + 1;
    logR += p * Math.log((a + eps) / (a + 1));
  }
  return out;
}
