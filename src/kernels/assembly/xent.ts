// Softmax cross-entropy on the head's logits, rows split over the threads. The same
// arithmetic as the model's reference (src/model/loss.ts, xentLoss), in float64 and row by
// row, so the two agree to float64 rounding (exp and log are AssemblyScript's, not V8's).
// Each row's loss goes into its own slot of nll: the caller sums them in row order, so the
// loss does not depend on how the rows were split.

/**
 * Rows n0..n1 of out [N, O] (float32 logits, row stride O). y: [N] i32 targets. w: [N]
 * float32 row weights, or 0 for weight 1 everywhere. nll: [N] float64, receives
 * w_n (log sum_o exp(out_no) - out_ny). dOut: [N, O] float32 or 0, receives
 * w_n / sumW (softmax(out_n) - onehot(y_n)). A row of weight 0 gets nll 0 and dOut 0, and
 * its target is not read.
 */
export function xentRows(n0: i32, n1: i32, O: i32, out: usize, y: usize, w: usize, sumW: f64,
  dOut: usize, nll: usize): void {
  const rowBytes = <usize>O << 2;
  for (let n = n0; n < n1; n++) {
    const wn: f64 = w != 0 ? <f64>load<f32>(w + (<usize>n << 2)) : 1.0;
    const row = out + <usize>n * rowBytes, dRow = dOut + <usize>n * rowBytes;
    if (wn == 0) {
      store<f64>(nll + (<usize>n << 3), 0);
      if (dOut != 0) memory.fill(dRow, 0, rowBytes);
      continue;
    }
    let max = -Infinity;
    for (let o = 0; o < O; o++) {
      const v = <f64>load<f32>(row + (<usize>o << 2));
      if (v > max) max = v;
    }
    let sum: f64 = 0;
    if (dOut != 0) {
      // keep exp(out - max) in dOut (float32, as the reference): one exp per element
      for (let o = 0; o < O; o++) {
        const e = Math.exp(<f64>load<f32>(row + (<usize>o << 2)) - max);
        store<f32>(dRow + (<usize>o << 2), <f32>e);
        sum += e;
      }
    } else {
      for (let o = 0; o < O; o++) sum += Math.exp(<f64>load<f32>(row + (<usize>o << 2)) - max);
    }
    const logZ = Math.log(sum) + max;
    const target = load<i32>(y + (<usize>n << 2));
    const outT = <f64>load<f32>(row + (<usize>target << 2));
    store<f64>(nll + (<usize>n << 3), wn * (logZ - outT));
    if (dOut != 0) {
      // dL/dout = w / sum(w) * (softmax - onehot(target))
      const scale = wn / sumW, inv = 1 / sum;
      for (let o = 0; o < O; o++) {
        const d = dRow + (<usize>o << 2);
        store<f32>(d, <f32>(scale * (<f64>load<f32>(d) * inv)));
      }
      // the target's p - 1 in float64 (a float32 p would lose it to cancellation as p -> 1)
      store<f32>(dRow + (<usize>target << 2), <f32>(scale * (Math.exp(outT - logZ) - 1)));
    }
  }
}
