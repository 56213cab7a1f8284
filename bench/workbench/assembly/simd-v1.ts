// Version 1 of the vector math (kept for the workbench): constants as v128.const,
// f32x4.min/max and floor + trunc_sat. See ../../src/kernels/assembly/simd.ts for the current one.

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

/** e^x for every lane; inputs are clamped to +-88.3 so the result stays finite. */
// @ts-ignore: decorator
@inline export function vexp(x0: v128): v128 {
  let x = f32x4.min(f32x4.max(x0, splat(-88.3)), splat(88.3));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, splat(1.44269504088896341)), splat(0.5)));
  x = f32x4.sub(x, f32x4.mul(fx, splat(0.693359375)));
  x = f32x4.sub(x, f32x4.mul(fx, splat(-2.12194440e-4)));
  const z = f32x4.mul(x, x);
  let y = splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, x), splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, x), splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, x), splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, x), splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), x), splat(1.0));
  // 2^fx built in the exponent bits
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(y, e);
}

/** ln(x) for x > 0 (normal numbers). */
// @ts-ignore: decorator
@inline export function vlog(x0: v128): v128 {
  // x = m * 2^e with m in [0.5, 1)
  const bits = x0;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  // if m < sqrt(1/2): e -= 1, m = 2m - 1 else m = m - 1
  const small = f32x4.lt(m, splat(0.707106781186547524));
  e = f32x4.sub(e, v128.and(small, splat(1.0)));
  const x = f32x4.add(f32x4.sub(m, splat(1.0)), v128.and(small, m));
  const z = f32x4.mul(x, x);
  let y = splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, x), splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, x), splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, x), z);
  y = f32x4.add(y, f32x4.mul(e, splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
  return f32x4.add(f32x4.add(x, y), f32x4.mul(e, splat(0.693359375)));
}

/** ln(1 + u) for u > -1, accurate for small |u| (w = 1 + u; ln w - ((w - 1) - u) / w). */
// @ts-ignore: decorator
@inline export function vlog1p(u: v128): v128 {
  const w = f32x4.add(splat(1.0), u);
  const corr = f32x4.div(f32x4.sub(f32x4.sub(w, splat(1.0)), u), w);
  return f32x4.sub(vlog(w), corr);
}

/** 1 / (1 + e^-x) */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(splat(1.0), f32x4.add(splat(1.0), vexp(f32x4.neg(x))));
}

/** tanh(x): odd polynomial near 0 (keeps relative accuracy), 1 - 2 / (e^2|x| + 1) beyond. */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), splat(-3.33332819422e-1));
  const near = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const big = f32x4.sub(splat(1.0),
    f32x4.div(splat(2.0), f32x4.add(vexp(f32x4.add(ax, ax)), splat(1.0))));
  // copy the sign of x onto big
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(near, signed, f32x4.lt(ax, splat(0.625)));
}
