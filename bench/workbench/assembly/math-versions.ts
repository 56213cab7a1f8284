// Throughput probes for the vector math of the gate epilogues: each applies one function
// to n floats in place (n % 4 == 0), so run.ts can time ns per value.
import { vexp, vlog1p, vsigmoid, vtanh } from '../../../src/kernels/assembly/simd';

export function apply_exp(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, vexp(v128.load(p + i)));
}
export function apply_sigmoid(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, vsigmoid(v128.load(p + i)));
}
export function apply_tanh(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, vtanh(v128.load(p + i)));
}
export function apply_log1p(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, vlog1p(f32x4.mul(v128.load(p + i), f32x4.splat(-0.5))));
}
/** scalar reference point: Mathf.exp per element */
export function apply_exp_scalar(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 4) store<f32>(p + i, Mathf.exp(load<f32>(p + i)));
}
