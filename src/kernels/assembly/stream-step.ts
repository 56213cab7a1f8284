// One streaming step (one batch row, T = 1) of a pLSTM / LSTM layer, and the linear head,
// reading the weights in place in their model layout (gate-major rows [G*H, n], unpadded)
// and updating the state h, c, a in place. For SequenceModel.step on the wasm backend,
// where the per-call packing of the sequence kernels costs several times the math itself.
//
// H must be a multiple of 4 (whole SIMD rows of W_hh, aligned gate blocks); I is any size.
// The input is either a token id (one-hot: a column gather of W_ih, no GEMV) or a dense row
// x [I] (an embedding row or the features). Same equations as plstm-forward.ts and
// lstm-forward.ts; the input products sum in another order, so results agree with the
// sequence kernels to float32 rounding (and are bit-identical run to run).
import { lstmGateRow, plstmGateRow } from './cell-gates';
import { madd, splat, vone, vsigmoid } from './simd';

/** z [GH] = bias + W_ih x (column xId of W_ih when xId >= 0, else the dense row x [I]). */
// @ts-ignore: decorator
@inline function inputGates(GH: i32, I: i32, x: usize, xId: i32, wIh: usize, bias: usize, z: usize): void {
  const rowBytes = <usize>I << 2;
  if (xId >= 0) {
    let w = wIh + (<usize>xId << 2);
    for (let r: usize = 0; r < <usize>GH << 2; r += 4) {
      store<f32>(z + r, load<f32>(bias + r) + load<f32>(w));
      w += rowBytes;
    }
    return;
  }
  const i4 = rowBytes & ~15;
  let w = wIh;
  for (let r: usize = 0; r < <usize>GH << 2; r += 4) {
    let acc = f32x4.splat(0);
    let k: usize = 0;
    for (; k < i4; k += 16) acc = madd(v128.load(w + k), v128.load(x + k), acc);
    let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
      + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
    for (; k < rowBytes; k += 4) s += load<f32>(w + k) * load<f32>(x + k);
    store<f32>(z + r, load<f32>(bias + r) + s);
    w += rowBytes;
  }
}

/** The sums of each of c0..c3 as one vector [sum c0, sum c1, sum c2, sum c3]. */
// @ts-ignore: decorator
@inline function hsum4(c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(c0, c1, 0, 4, 2, 6), v128.shuffle<f32>(c0, c1, 1, 5, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(c2, c3, 0, 4, 2, 6), v128.shuffle<f32>(c2, c3, 1, 5, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

/**
 * GEMV z [N] += W [N, K] h [K] (N, K multiples of 4): 6 rows at a time, each with its own
 * accumulator chain and running row pointer, then 4 rows, then single rows.
 * Why 6: V8 keeps at most 15 v128 values in registers and loads every operand into one before
 * the multiply-adds, so 6 accumulators + 6 row loads + h fit and 8 spill (workbench stream.ts,
 * H = 128: 2.9 us against 3.1 us for 8 rows; the product is bound by load throughput).
 */
// @ts-ignore: decorator
@inline function gemvAcc(N: i32, K: i32, W: usize, h: usize, z: usize): void {
  const kb = <usize>K << 2, nb = <usize>N << 2;
  let w = W;
  let n: usize = 0;
  for (; n + 24 <= nb; n += 24) {
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    let w0 = w, w1 = w + kb, w2 = w + 2 * kb, w3 = w + 3 * kb, w4 = w + 4 * kb, w5 = w + 5 * kb;
    for (let hk = h, hEnd = h + kb; hk < hEnd; hk += 16) {
      const a = v128.load(hk);
      c0 = madd(a, v128.load(w0), c0); c1 = madd(a, v128.load(w1), c1);
      c2 = madd(a, v128.load(w2), c2); c3 = madd(a, v128.load(w3), c3);
      c4 = madd(a, v128.load(w4), c4); c5 = madd(a, v128.load(w5), c5);
      w0 += 16; w1 += 16; w2 += 16; w3 += 16; w4 += 16; w5 += 16;
    }
    // sums of c0..c3 -> z[n..n+3], of c4, c5 -> z[n+4], z[n+5]
    v128.store(z + n, f32x4.add(v128.load(z + n), hsum4(c0, c1, c2, c3)));
    const t = hsum4(c4, c5, c4, c5);
    store<f32>(z + n, load<f32>(z + n, 16) + f32x4.extract_lane(t, 0), 16);
    store<f32>(z + n, load<f32>(z + n, 20) + f32x4.extract_lane(t, 1), 20);
    w += 6 * kb;
  }
  if (n + 16 <= nb) { // 4 rows
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
    for (let k: usize = 0; k < kb; k += 16) {
      const a = v128.load(h + k);
      c0 = madd(a, v128.load(w + k), c0); c1 = madd(a, v128.load(w + kb + k), c1);
      c2 = madd(a, v128.load(w + 2 * kb + k), c2); c3 = madd(a, v128.load(w + 3 * kb + k), c3);
    }
    v128.store(z + n, f32x4.add(v128.load(z + n), hsum4(c0, c1, c2, c3)));
    n += 16;
    w += 4 * kb;
  }
  for (; n < nb; n += 4) { // 0 to 3 single rows
    let c0 = f32x4.splat(0);
    for (let k: usize = 0; k < kb; k += 16) c0 = madd(v128.load(h + k), v128.load(w + k), c0);
    store<f32>(z + n, load<f32>(z + n) + (f32x4.extract_lane(c0, 0) + f32x4.extract_lane(c0, 1)
      + f32x4.extract_lane(c0, 2) + f32x4.extract_lane(c0, 3)));
    w += kb;
  }
}

/**
 * pLSTM step. x: [I] dense row (ignored when xId >= 0)   wIh: [3H, I]   wHh: [3H, H]
 * bias: [3H]   theta: [H] logit p, or 0 for a fixed p   z: [3H] scratch
 * h, c, a: [H] state, read as t-1 and overwritten with t.
 * pSeen: [H] the exponents: with a fixed p, that p in every lane; with a learned p, a cache
 * of sigmoid(theta): lanes whose theta bits differ from thetaSeen [H] are recomputed (so a
 * trained theta is picked up at once); start them as theta 0 and p 0.5 (= vsigmoid(0) exactly).
 */
export function plstmStreamStep(H: i32, I: i32, x: usize, xId: i32, wIh: usize, wHh: usize, bias: usize,
  theta: usize, eps: f32, z: usize, h: usize, c: usize, a: usize, thetaSeen: usize, pSeen: usize): void {
  const GH = 3 * H;
  inputGates(GH, I, x, xId, wIh, bias, z);
  gemvAcc(GH, H, wHh, h, z); // z += W_hh h_{t-1}
  const hb = <usize>H << 2;
  if (theta != 0) {
    for (let j: usize = 0; j < hb; j += 16) {
      const th = v128.load(theta + j);
      if (!i32x4.all_true(i32x4.eq(th, v128.load(thetaSeen + j)))) {
        v128.store(thetaSeen + j, th);
        v128.store(pSeen + j, vsigmoid(th));
      }
    }
  }
  // the forget gates land in z's r rows (free once a_t is computed)
  plstmGateRow(hb, z, z, pSeen, splat(eps), vone(), splat(1.0 - eps), a, a, c, c, z, h);
}

/** LSTM step (gates i, f, g, o). x, wIh [4H, I], wHh [4H, H], bias [4H], z [4H], h, c [H] as above. */
export function lstmStreamStep(H: i32, I: i32, x: usize, xId: i32, wIh: usize, wHh: usize, bias: usize,
  z: usize, h: usize, c: usize): void {
  const GH = 4 * H;
  inputGates(GH, I, x, xId, wIh, bias, z);
  gemvAcc(GH, H, wHh, h, z);
  lstmGateRow(<usize>H << 2, z, z, c, c, h);
}

/** The linear head for one row: out [O] = b [O] + W [O, H] h [H]; H a multiple of 4. */
export function headStep(O: i32, H: i32, h: usize, W: usize, b: usize, out: usize): void {
  const hb = <usize>H << 2;
  let w = W;
  for (let o: usize = 0; o < <usize>O << 2; o += 4) {
    let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
    let k: usize = 0;
    for (; k + 32 <= hb; k += 32) {
      acc0 = madd(v128.load(w + k), v128.load(h + k), acc0);
      acc1 = madd(v128.load(w + k + 16), v128.load(h + k + 16), acc1);
    }
    if (k < hb) acc0 = madd(v128.load(w + k), v128.load(h + k), acc0);
    const acc = f32x4.add(acc0, acc1);
    store<f32>(out + o, load<f32>(b + o) + (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
      + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3)));
    w += hb;
  }
}
