// Streaming-step pieces, timed separately (stream.ts): the W_hh GEMV and the pLSTM gate math.
import { madd, splat, vexp, vlog, vlog1p, vone, vsigmoid, vtanh } from '../../../src/kernels/assembly/simd';

// @ts-ignore: decorator
@inline function hsum4(c0: v128, c1: v128, c2: v128, c3: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(c0, c1, 0, 4, 2, 6), v128.shuffle<f32>(c0, c1, 1, 5, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(c2, c3, 0, 4, 2, 6), v128.shuffle<f32>(c2, c3, 1, 5, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

/** v1: the library's gemvAcc (8 rows, 8 row streams). */
export function gemv_v1(N: i32, K: i32, W: usize, h: usize, z: usize): void {
  const kb = <usize>K << 2, nb = <usize>N << 2, nb8 = nb & ~31;
  let w = W;
  let n: usize = 0;
  for (; n < nb8; n += 32) {
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    let w0 = w, w1 = w + kb, w2 = w + 2 * kb, w3 = w + 3 * kb;
    let w4 = w + 4 * kb, w5 = w + 5 * kb, w6 = w + 6 * kb, w7 = w + 7 * kb;
    for (let k: usize = 0; k < kb; k += 16) {
      const a = v128.load(h + k);
      c0 = madd(a, v128.load(w0), c0); c1 = madd(a, v128.load(w1), c1);
      c2 = madd(a, v128.load(w2), c2); c3 = madd(a, v128.load(w3), c3);
      c4 = madd(a, v128.load(w4), c4); c5 = madd(a, v128.load(w5), c5);
      c6 = madd(a, v128.load(w6), c6); c7 = madd(a, v128.load(w7), c7);
      w0 += 16; w1 += 16; w2 += 16; w3 += 16; w4 += 16; w5 += 16; w6 += 16; w7 += 16;
    }
    v128.store(z + n, f32x4.add(v128.load(z + n), hsum4(c0, c1, c2, c3)));
    v128.store(z + n + 16, f32x4.add(v128.load(z + n + 16), hsum4(c4, c5, c6, c7)));
    w += 8 * kb;
  }
}

/** v2: NN form on a panel-packed W^T: Wp [N/16][K][16]; one contiguous stream, 4 accumulators
 * of 4 outputs, h[k] broadcast. */
export function gemv_v2(N: i32, K: i32, Wp: usize, h: usize, z: usize): void {
  const nb = <usize>N << 2;
  let w = Wp;
  for (let n: usize = 0; n < nb; n += 64) {
    let c0 = v128.load(z + n), c1 = v128.load(z + n, 16), c2 = v128.load(z + n, 32), c3 = v128.load(z + n, 48);
    for (let k: usize = 0; k < <usize>K << 2; k += 4) {
      const s = v128.load32_splat(h + k);
      c0 = madd(s, v128.load(w), c0); c1 = madd(s, v128.load(w, 16), c1);
      c2 = madd(s, v128.load(w, 32), c2); c3 = madd(s, v128.load(w, 48), c3);
      w += 64;
    }
    v128.store(z + n, c0); v128.store(z + n, c1, 16); v128.store(z + n, c2, 32); v128.store(z + n, c3, 48);
  }
}

/** v3: NN form, panel-packed Wp [N/32][K][32], 8 accumulators. */
export function gemv_v3(N: i32, K: i32, Wp: usize, h: usize, z: usize): void {
  const nb = <usize>N << 2;
  let w = Wp;
  for (let n: usize = 0; n < nb; n += 128) {
    let c0 = v128.load(z + n), c1 = v128.load(z + n, 16), c2 = v128.load(z + n, 32), c3 = v128.load(z + n, 48);
    let c4 = v128.load(z + n, 64), c5 = v128.load(z + n, 80), c6 = v128.load(z + n, 96), c7 = v128.load(z + n, 112);
    for (let k: usize = 0; k < <usize>K << 2; k += 4) {
      const s = v128.load32_splat(h + k);
      c0 = madd(s, v128.load(w), c0); c1 = madd(s, v128.load(w, 16), c1);
      c2 = madd(s, v128.load(w, 32), c2); c3 = madd(s, v128.load(w, 48), c3);
      c4 = madd(s, v128.load(w, 64), c4); c5 = madd(s, v128.load(w, 80), c5);
      c6 = madd(s, v128.load(w, 96), c6); c7 = madd(s, v128.load(w, 112), c7);
      w += 128;
    }
    v128.store(z + n, c0); v128.store(z + n, c1, 16); v128.store(z + n, c2, 32); v128.store(z + n, c3, 48);
    v128.store(z + n, c4, 64); v128.store(z + n, c5, 80); v128.store(z + n, c6, 96); v128.store(z + n, c7, 112);
  }
}

/** v1 gate math: the library's phases (r, o, g; then a, f, c; then h). p given. */
export function gates_v1(H: i32, z: usize, p: usize, eps: f32, h: usize, c: usize, a: usize): void {
  const hb = <usize>H << 2;
  const epsV = splat(eps), one = vone(), oneMinusEps = splat(1.0 - eps);
  for (let j: usize = 0; j < hb; j += 16) {
    v128.store(z + j, vsigmoid(v128.load(z + j)));
    v128.store(z + hb + j, vsigmoid(v128.load(z + hb + j)));
    v128.store(z + 2 * hb + j, vtanh(v128.load(z + 2 * hb + j)));
  }
  for (let j: usize = 0; j < hb; j += 16) {
    const r = v128.load(z + j);
    const av = f32x4.add(f32x4.mul(r, epsV),
      f32x4.mul(f32x4.sub(one, r), f32x4.add(v128.load(a + j), one)));
    const lr = vlog1p(f32x4.neg(f32x4.div(oneMinusEps, f32x4.add(av, one))));
    const fg = vexp(f32x4.mul(v128.load(p + j), lr));
    v128.store(c + j, f32x4.add(f32x4.mul(fg, v128.load(c + j)), f32x4.mul(f32x4.sub(one, fg), v128.load(z + 2 * hb + j))));
    v128.store(a + j, av);
  }
  for (let j: usize = 0; j < hb; j += 16) {
    v128.store(h + j, f32x4.mul(v128.load(z + hb + j), vtanh(v128.load(c + j))));
  }
}

/** v2: the same math, more phases (each body one transcendental): more independent work in flight. */
export function gates_v2(H: i32, z: usize, p: usize, eps: f32, h: usize, c: usize, a: usize): void {
  const hb = <usize>H << 2;
  const epsV = splat(eps), one = vone(), oneMinusEps = splat(1.0 - eps);
  for (let j: usize = 0; j < 3 * hb; j += 16) {
    // r, o by sigmoid; g by tanh
    const v = v128.load(z + j);
    v128.store(z + j, j < 2 * hb ? vsigmoid(v) : vtanh(v));
  }
  for (let j: usize = 0; j < hb; j += 16) {
    const r = v128.load(z + j);
    const av = f32x4.add(f32x4.mul(r, epsV),
      f32x4.mul(f32x4.sub(one, r), f32x4.add(v128.load(a + j), one)));
    v128.store(a + j, av);
    v128.store(z + j, vlog1p(f32x4.neg(f32x4.div(oneMinusEps, f32x4.add(av, one)))));
  }
  for (let j: usize = 0; j < hb; j += 16) {
    const fg = vexp(f32x4.mul(v128.load(p + j), v128.load(z + j)));
    const cv = f32x4.add(f32x4.mul(fg, v128.load(c + j)), f32x4.mul(f32x4.sub(one, fg), v128.load(z + 2 * hb + j)));
    v128.store(c + j, cv);
  }
  for (let j: usize = 0; j < hb; j += 16) {
    v128.store(h + j, f32x4.mul(v128.load(z + hb + j), vtanh(v128.load(c + j))));
  }
}

/** v3: v2 with ln((a+eps)/(a+1)) as ln of the quotient (one division, no log1p correction). */
export function gates_v3(H: i32, z: usize, p: usize, eps: f32, h: usize, c: usize, a: usize): void {
  const hb = <usize>H << 2;
  const epsV = splat(eps), one = vone();
  for (let j: usize = 0; j < 3 * hb; j += 16) {
    const v = v128.load(z + j);
    v128.store(z + j, j < 2 * hb ? vsigmoid(v) : vtanh(v));
  }
  for (let j: usize = 0; j < hb; j += 16) {
    const r = v128.load(z + j);
    const av = f32x4.add(f32x4.mul(r, epsV),
      f32x4.mul(f32x4.sub(one, r), f32x4.add(v128.load(a + j), one)));
    v128.store(a + j, av);
    v128.store(z + j, vlog(f32x4.div(f32x4.add(av, epsV), f32x4.add(av, one))));
  }
  for (let j: usize = 0; j < hb; j += 16) {
    const fg = vexp(f32x4.mul(v128.load(p + j), v128.load(z + j)));
    const cv = f32x4.add(f32x4.mul(fg, v128.load(c + j)), f32x4.mul(f32x4.sub(one, fg), v128.load(z + 2 * hb + j)));
    v128.store(c + j, cv);
  }
  for (let j: usize = 0; j < hb; j += 16) {
    v128.store(h + j, f32x4.mul(v128.load(z + hb + j), vtanh(v128.load(c + j))));
  }
}

export function phase_sig(H: i32, z: usize): void {
  const hb = <usize>H << 2;
  for (let j: usize = 0; j < 2 * hb; j += 16) v128.store(z + j, vsigmoid(v128.load(z + j)));
}
export function phase_tanh(H: i32, z: usize): void {
  const hb = <usize>H << 2;
  for (let j: usize = 0; j < 2 * hb; j += 16) v128.store(z + j, vtanh(v128.load(z + j)));
}
export function phase_exp(H: i32, z: usize): void {
  const hb = <usize>H << 2;
  for (let j: usize = 0; j < 2 * hb; j += 16) v128.store(z + j, vexp(v128.load(z + j)));
}
export function phase_log1p(H: i32, z: usize): void {
  const hb = <usize>H << 2;
  for (let j: usize = 0; j < 2 * hb; j += 16) v128.store(z + j, vlog1p(f32x4.neg(v128.load(z + j))));
}
export function phase_copy(H: i32, z: usize): void {
  const hb = <usize>H << 2;
  for (let j: usize = 0; j < 2 * hb; j += 16) v128.store(z + j, f32x4.mul(v128.load(z + j), v128.load(z + j)));
}

/** v4: v1 with the k loop unrolled 4x (constant load offsets: row pointers move once per 16 floats). K % 16 == 0. */
export function gemv_v4(N: i32, K: i32, W: usize, h: usize, z: usize): void {
  const kb = <usize>K << 2, nb = <usize>N << 2;
  let w = W;
  for (let n: usize = 0; n < nb; n += 32) {
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
    let w0 = w, w1 = w + kb, w2 = w + 2 * kb, w3 = w + 3 * kb;
    let w4 = w + 4 * kb, w5 = w + 5 * kb, w6 = w + 6 * kb, w7 = w + 7 * kb;
    for (let hk = h, hEnd = h + kb; hk < hEnd; hk += 64) {
      let a = v128.load(hk);
      c0 = madd(a, v128.load(w0), c0); c1 = madd(a, v128.load(w1), c1);
      c2 = madd(a, v128.load(w2), c2); c3 = madd(a, v128.load(w3), c3);
      c4 = madd(a, v128.load(w4), c4); c5 = madd(a, v128.load(w5), c5);
      c6 = madd(a, v128.load(w6), c6); c7 = madd(a, v128.load(w7), c7);
      a = v128.load(hk, 16);
      c0 = madd(a, v128.load(w0, 16), c0); c1 = madd(a, v128.load(w1, 16), c1);
      c2 = madd(a, v128.load(w2, 16), c2); c3 = madd(a, v128.load(w3, 16), c3);
      c4 = madd(a, v128.load(w4, 16), c4); c5 = madd(a, v128.load(w5, 16), c5);
      c6 = madd(a, v128.load(w6, 16), c6); c7 = madd(a, v128.load(w7, 16), c7);
      a = v128.load(hk, 32);
      c0 = madd(a, v128.load(w0, 32), c0); c1 = madd(a, v128.load(w1, 32), c1);
      c2 = madd(a, v128.load(w2, 32), c2); c3 = madd(a, v128.load(w3, 32), c3);
      c4 = madd(a, v128.load(w4, 32), c4); c5 = madd(a, v128.load(w5, 32), c5);
      c6 = madd(a, v128.load(w6, 32), c6); c7 = madd(a, v128.load(w7, 32), c7);
      a = v128.load(hk, 48);
      c0 = madd(a, v128.load(w0, 48), c0); c1 = madd(a, v128.load(w1, 48), c1);
      c2 = madd(a, v128.load(w2, 48), c2); c3 = madd(a, v128.load(w3, 48), c3);
      c4 = madd(a, v128.load(w4, 48), c4); c5 = madd(a, v128.load(w5, 48), c5);
      c6 = madd(a, v128.load(w6, 48), c6); c7 = madd(a, v128.load(w7, 48), c7);
      w0 += 64; w1 += 64; w2 += 64; w3 += 64; w4 += 64; w5 += 64; w6 += 64; w7 += 64;
    }
    v128.store(z + n, f32x4.add(v128.load(z + n), hsum4(c0, c1, c2, c3)));
    v128.store(z + n + 16, f32x4.add(v128.load(z + n + 16), hsum4(c4, c5, c6, c7)));
    w += 8 * kb;
  }
}

/** v5: panel-packed NN (v2) with k unrolled 4x. */
export function gemv_v5(N: i32, K: i32, Wp: usize, h: usize, z: usize): void {
  const nb = <usize>N << 2;
  let w = Wp;
  for (let n: usize = 0; n < nb; n += 64) {
    let c0 = v128.load(z + n), c1 = v128.load(z + n, 16), c2 = v128.load(z + n, 32), c3 = v128.load(z + n, 48);
    for (let hk = h, hEnd = h + (<usize>K << 2); hk < hEnd; hk += 16) {
      let s = v128.load32_splat(hk);
      c0 = madd(s, v128.load(w), c0); c1 = madd(s, v128.load(w, 16), c1);
      c2 = madd(s, v128.load(w, 32), c2); c3 = madd(s, v128.load(w, 48), c3);
      s = v128.load32_splat(hk, 4);
      c0 = madd(s, v128.load(w, 64), c0); c1 = madd(s, v128.load(w, 80), c1);
      c2 = madd(s, v128.load(w, 96), c2); c3 = madd(s, v128.load(w, 112), c3);
      s = v128.load32_splat(hk, 8);
      c0 = madd(s, v128.load(w, 128), c0); c1 = madd(s, v128.load(w, 144), c1);
      c2 = madd(s, v128.load(w, 160), c2); c3 = madd(s, v128.load(w, 176), c3);
      s = v128.load32_splat(hk, 12);
      c0 = madd(s, v128.load(w, 192), c0); c1 = madd(s, v128.load(w, 208), c1);
      c2 = madd(s, v128.load(w, 224), c2); c3 = madd(s, v128.load(w, 240), c3);
      w += 256;
    }
    v128.store(z + n, c0); v128.store(z + n, c1, 16); v128.store(z + n, c2, 32); v128.store(z + n, c3, 48);
  }
}

/** v6: dot-product form on row-major W [N, K], 6 rows at a time (6 accumulators + 6 loads fit
 * V8's 15 usable xmm registers with the h vector). N % 6 == 0 here. */
export function gemv_v6(N: i32, K: i32, W: usize, h: usize, z: usize): void {
  const kb = <usize>K << 2, nb = <usize>N << 2;
  let w = W;
  for (let n: usize = 0; n < nb; n += 24) {
    let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    let w0 = w, w1 = w + kb, w2 = w + 2 * kb, w3 = w + 3 * kb, w4 = w + 4 * kb, w5 = w + 5 * kb;
    for (let hk = h, hEnd = h + kb; hk < hEnd; hk += 16) {
      const a = v128.load(hk);
      c0 = madd(a, v128.load(w0), c0); c1 = madd(a, v128.load(w1), c1);
      c2 = madd(a, v128.load(w2), c2); c3 = madd(a, v128.load(w3), c3);
      c4 = madd(a, v128.load(w4), c4); c5 = madd(a, v128.load(w5), c5);
      w0 += 16; w1 += 16; w2 += 16; w3 += 16; w4 += 16; w5 += 16;
    }
    const s = hsum4(c0, c1, c2, c3);
    const t = hsum4(c4, c5, c4, c5);
    store<f32>(z + n, load<f32>(z + n) + f32x4.extract_lane(s, 0));
    store<f32>(z + n + 4, load<f32>(z + n + 4) + f32x4.extract_lane(s, 1));
    store<f32>(z + n + 8, load<f32>(z + n + 8) + f32x4.extract_lane(s, 2));
    store<f32>(z + n + 12, load<f32>(z + n + 12) + f32x4.extract_lane(s, 3));
    store<f32>(z + n + 16, load<f32>(z + n + 16) + f32x4.extract_lane(t, 0));
    store<f32>(z + n + 20, load<f32>(z + n + 20) + f32x4.extract_lane(t, 1));
    w += 6 * kb;
  }
}

/** v7: NN form on W^T [K, N] (one pointer, constant offsets), 24 columns = 6 accumulators. N % 24 == 0 here. */
export function gemv_v7(N: i32, K: i32, Wt: usize, h: usize, z: usize): void {
  const nb = <usize>N << 2;
  for (let n: usize = 0; n < nb; n += 96) {
    let c0 = v128.load(z + n), c1 = v128.load(z + n, 16), c2 = v128.load(z + n, 32);
    let c3 = v128.load(z + n, 48), c4 = v128.load(z + n, 64), c5 = v128.load(z + n, 80);
    let w = Wt + n;
    for (let hk = h, hEnd = h + (<usize>K << 2); hk < hEnd; hk += 4) {
      const s = v128.load32_splat(hk);
      c0 = madd(s, v128.load(w), c0); c1 = madd(s, v128.load(w, 16), c1);
      c2 = madd(s, v128.load(w, 32), c2); c3 = madd(s, v128.load(w, 48), c3);
      c4 = madd(s, v128.load(w, 64), c4); c5 = madd(s, v128.load(w, 80), c5);
      w += nb;
    }
    v128.store(z + n, c0); v128.store(z + n, c1, 16); v128.store(z + n, c2, 32);
    v128.store(z + n, c3, 48); v128.store(z + n, c4, 64); v128.store(z + n, c5, 80);
  }
}

/** v8: v7 with 7 accumulators (28 columns). N % 28 == 0 here. */
export function gemv_v8(N: i32, K: i32, Wt: usize, h: usize, z: usize): void {
  const nb = <usize>N << 2;
  for (let n: usize = 0; n < nb; n += 112) {
    let c0 = v128.load(z + n), c1 = v128.load(z + n, 16), c2 = v128.load(z + n, 32);
    let c3 = v128.load(z + n, 48), c4 = v128.load(z + n, 64), c5 = v128.load(z + n, 80), c6 = v128.load(z + n, 96);
    let w = Wt + n;
    for (let hk = h, hEnd = h + (<usize>K << 2); hk < hEnd; hk += 4) {
      const s = v128.load32_splat(hk);
      c0 = madd(s, v128.load(w), c0); c1 = madd(s, v128.load(w, 16), c1);
      c2 = madd(s, v128.load(w, 32), c2); c3 = madd(s, v128.load(w, 48), c3);
      c4 = madd(s, v128.load(w, 64), c4); c5 = madd(s, v128.load(w, 80), c5); c6 = madd(s, v128.load(w, 96), c6);
      w += nb;
    }
    v128.store(z + n, c0); v128.store(z + n, c1, 16); v128.store(z + n, c2, 32);
    v128.store(z + n, c3, 48); v128.store(z + n, c4, 64); v128.store(z + n, c5, 80); v128.store(z + n, c6, 96);
  }
}
