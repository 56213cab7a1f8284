// Vector math versions for the gate epilogues: each export applies one function to n floats
// in place (n % 4 == 0), so run.ts can check it against Math.* and time ns per value.
//   v1: bench/workbench/assembly/simd-v1.ts (v128.const constants, min/max, floor + trunc_sat)
//   v2: src/kernels/assembly/simd.ts (constants from a memory table, pmin/pmax, rational tanh)
import * as v1 from './simd-v1';
import * as v2 from '../../../src/kernels/assembly/simd';

export function exp_v1(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v1.vexp(v128.load(p + i)));
}
export function exp_v2(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v2.vexp(v128.load(p + i)));
}
export function sigmoid_v1(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v1.vsigmoid(v128.load(p + i)));
}
export function sigmoid_v2(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v2.vsigmoid(v128.load(p + i)));
}
export function tanh_v1(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v1.vtanh(v128.load(p + i)));
}
export function tanh_v2(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v2.vtanh(v128.load(p + i)));
}
export function log1p_v1(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v1.vlog1p(v128.load(p + i)));
}
export function log1p_v2(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 16) v128.store(p + i, v2.vlog1p(v128.load(p + i)));
}
/** scalar baseline: Mathf.exp per element */
export function exp_scalar(n: i32, p: usize): void {
  for (let i: usize = 0; i < <usize>n << 2; i += 4) store<f32>(p + i, Mathf.exp(load<f32>(p + i)));
}
