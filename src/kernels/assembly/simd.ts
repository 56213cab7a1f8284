// Shared inline SIMD helpers for the kernels: multiply-add and vectorised exp, log1p,
// sigmoid, tanh on f32x4. Polynomials after Cephes (expf, logf); tanh is a rational
// approximation (as in Eigen's float tanh). Errors: a few float32 ulp (checked in
// bench/workbench against Math.*), far inside the tolerance the kernels are tested at.
//
// Constants are read from a table in memory: V8 rebuilds every v128.const with several
// instructions at each use, while a load is one (workbench: exp 2.2x faster this way).
// min/max are pmin/pmax (one instruction; f32x4.min/max need NaN fix-ups), and exp rounds
// with the 1.5*2^23 trick instead of floor + trunc_sat (long sequences in V8).

// Each constant is stored 4 times (one v128); K_* are their indices.
const TABLE = memory.data<f32>([
  1.0, 1.0, 1.0, 1.0, // 0 one
  0.5, 0.5, 0.5, 0.5, // 1 half
  -87.3, -87.3, -87.3, -87.3, // 2 exp input floor (2^-126 stays normal)
  88.3, 88.3, 88.3, 88.3, // 3 exp input ceiling
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 4 1.5 * 2^23: rounds to an integer
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341, // 5 log2(e)
  0.693359375, 0.693359375, 0.693359375, 0.693359375, // 6 ln 2, high part
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, // 7 ln 2, low part
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // 8..13 expf polynomial
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  0.707106781186547524, 0.707106781186547524, 0.707106781186547524, 0.707106781186547524, // 14 sqrt(1/2)
  7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2, // 15..23 logf polynomial
  -1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1,
  1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1,
  -1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1,
  1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1,
  -1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1,
  2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1,
  -2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1,
  3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1,
  -7.90531110763549805, -7.90531110763549805, -7.90531110763549805, -7.90531110763549805, // 24 tanh clamp
  7.90531110763549805, 7.90531110763549805, 7.90531110763549805, 7.90531110763549805, // 25
  -2.76076847742355e-16, -2.76076847742355e-16, -2.76076847742355e-16, -2.76076847742355e-16, // 26..32 numerator
  2.00018790482477e-13, 2.00018790482477e-13, 2.00018790482477e-13, 2.00018790482477e-13,
  -8.60467152213735e-11, -8.60467152213735e-11, -8.60467152213735e-11, -8.60467152213735e-11,
  5.12229709037114e-08, 5.12229709037114e-08, 5.12229709037114e-08, 5.12229709037114e-08,
  1.48572235717979e-05, 1.48572235717979e-05, 1.48572235717979e-05, 1.48572235717979e-05,
  6.37261928875436e-04, 6.37261928875436e-04, 6.37261928875436e-04, 6.37261928875436e-04,
  4.89352455891786e-03, 4.89352455891786e-03, 4.89352455891786e-03, 4.89352455891786e-03,
  1.19825839466702e-06, 1.19825839466702e-06, 1.19825839466702e-06, 1.19825839466702e-06, // 33..36 denominator
  1.18534705686654e-04, 1.18534705686654e-04, 1.18534705686654e-04, 1.18534705686654e-04,
  2.26843463243900e-03, 2.26843463243900e-03, 2.26843463243900e-03, 2.26843463243900e-03,
  4.89352518554385e-03, 4.89352518554385e-03, 4.89352518554385e-03, 4.89352518554385e-03,
  7.8886090522e-31, 7.8886090522e-31, 7.8886090522e-31, 7.8886090522e-31, // 37 2^-100 (flushTiny)
]);
const ITABLE = memory.data<i32>([
  0x007fffff, 0x007fffff, 0x007fffff, 0x007fffff, // 0 mantissa mask
  0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000, // 1 exponent bits of 0.5
  127 - 0x4b400000, 127 - 0x4b400000, 127 - 0x4b400000, 127 - 0x4b400000, // 2 bits(1.5*2^23) -> bias
  126, 126, 126, 126, // 3
]);

// @ts-ignore: decorator
@inline function K(i: usize): v128 { return v128.load(TABLE + (i << 4)); }
// @ts-ignore: decorator
@inline function KI(i: usize): v128 { return v128.load(ITABLE + (i << 4)); }

/** c + a * b; fused (one rounding) when built with relaxed SIMD, else mul then add. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** The constant 1 in every lane. */
// @ts-ignore: decorator
@inline export function vone(): v128 {
  return K(0);
}

/** e^x for every lane; inputs are clamped to [-87.3, 88.3] so the result stays finite. */
// @ts-ignore: decorator
@inline export function vexp(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, K(2)), K(3));
  const kn = f32x4.add(f32x4.mul(x, K(5)), K(4)); // bits(kn) = bits(1.5*2^23) + round(x log2 e)
  const n = f32x4.sub(kn, K(4));
  let r = f32x4.sub(x, f32x4.mul(n, K(6)));
  r = f32x4.sub(r, f32x4.mul(n, K(7)));
  const z = f32x4.mul(r, r);
  let y = K(8);
  y = f32x4.add(f32x4.mul(y, r), K(9));
  y = f32x4.add(f32x4.mul(y, r), K(10));
  y = f32x4.add(f32x4.mul(y, r), K(11));
  y = f32x4.add(f32x4.mul(y, r), K(12));
  y = f32x4.add(f32x4.mul(y, r), K(13));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), K(0));
  // 2^n: n + 127 shifted into the exponent bits
  return f32x4.mul(y, i32x4.shl(i32x4.add(kn, KI(2)), 23));
}

/** ln(x) for x > 0 (normal numbers). */
// @ts-ignore: decorator
@inline export function vlog(x0: v128): v128 {
  // x = m * 2^e with m in [0.5, 1)
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(x0, 23), KI(3)));
  const m = v128.or(v128.and(x0, KI(0)), KI(1));
  // if m < sqrt(1/2): e -= 1, m = 2m - 1 else m = m - 1
  const small = f32x4.lt(m, K(14));
  e = f32x4.sub(e, v128.and(small, K(0)));
  const x = f32x4.add(f32x4.sub(m, K(0)), v128.and(small, m));
  const z = f32x4.mul(x, x);
  let y = K(15);
  y = f32x4.add(f32x4.mul(y, x), K(16));
  y = f32x4.add(f32x4.mul(y, x), K(17));
  y = f32x4.add(f32x4.mul(y, x), K(18));
  y = f32x4.add(f32x4.mul(y, x), K(19));
  y = f32x4.add(f32x4.mul(y, x), K(20));
  y = f32x4.add(f32x4.mul(y, x), K(21));
  y = f32x4.add(f32x4.mul(y, x), K(22));
  y = f32x4.add(f32x4.mul(y, x), K(23));
  y = f32x4.mul(f32x4.mul(y, x), z);
  y = f32x4.add(y, f32x4.mul(e, K(7)));
  y = f32x4.sub(y, f32x4.mul(z, K(1)));
  return f32x4.add(f32x4.add(x, y), f32x4.mul(e, K(6)));
}

/** ln(1 + u) for u > -1, accurate for small |u| (w = 1 + u; ln w - ((w - 1) - u) / w). */
// @ts-ignore: decorator
@inline export function vlog1p(u: v128): v128 {
  const w = f32x4.add(K(0), u);
  const corr = f32x4.div(f32x4.sub(f32x4.sub(w, K(0)), u), w);
  return f32x4.sub(vlog(w), corr);
}

/** 1 / (1 + e^-x) */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(K(0), f32x4.add(K(0), vexp(f32x4.neg(x))));
}

/** tanh(x) = x P(x^2) / Q(x^2) on x clamped to +-7.9 (where tanh is 1 in float32). */
// @ts-ignore: decorator
@inline export function vtanh(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, K(24)), K(25));
  const x2 = f32x4.mul(x, x);
  let p = K(26);
  p = f32x4.add(f32x4.mul(p, x2), K(27));
  p = f32x4.add(f32x4.mul(p, x2), K(28));
  p = f32x4.add(f32x4.mul(p, x2), K(29));
  p = f32x4.add(f32x4.mul(p, x2), K(30));
  p = f32x4.add(f32x4.mul(p, x2), K(31));
  p = f32x4.add(f32x4.mul(p, x2), K(32));
  p = f32x4.mul(p, x);
  let q = K(33);
  q = f32x4.add(f32x4.mul(q, x2), K(34));
  q = f32x4.add(f32x4.mul(q, x2), K(35));
  q = f32x4.add(f32x4.mul(q, x2), K(36));
  return f32x4.div(p, q);
}

/**
 * v with every lane of magnitude below 2^-100 (~7.9e-31) set to +-0; NaN and everything
 * else pass unchanged.
 *
 * Why: WebAssembly has no flush-to-zero mode, and x86 handles subnormal operands and results
 * (below 2^-126) in microcode assists, ~100x slower per instruction. The gradients carried
 * back through time (dc f, da (1 - r), dz W_hh) shrink geometrically over long sequences and
 * would sit in the subnormal range for many steps, stalling every GEMM and gate loop that
 * touches them. The bar is 2^-100 rather than 2^-126 because a value just above 2^-126
 * still makes subnormal products in the GEMMs (dz W_hh, dz W_ih, dz^T h): with 2^-100 only
 * factors below 2^-26 can. Measured in bench/workbench/subnormal.ts (LSTM, forget bias 0,
 * T = 200): backward 336 ms unflushed, 110 ms with a 2^-126 bar, 17.5 ms with 2^-100
 * (= forget bias +1). A flushed value changes by less than 7.9e-31 in absolute terms.
 */
// @ts-ignore: decorator
@inline export function flushTiny(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), K(37)));
}
