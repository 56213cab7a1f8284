// Packing and unpacking between the caller's layouts and the kernels'. Callers hold
// batch-major, unpadded arrays ([B, T, n], [B, H], gate-major weights [G*H, n]); the kernels
// read time-major blocks ([T, B, np]) whose rows are padded to a multiple of 4 (np) with
// zeros, so every SIMD row loop is whole and one step's rows form a dense block. Buffers
// that are views of the backend's memory are read in place (no staging copy).
import type { Float } from '../../../cells/types.js';
import type { Blocks } from '../memory/scratch-arena.js';
import type { WasmContext } from '../runtime/context.js';
import { rowShares } from '../runtime/work-shares.js';

/** n rounded up to a multiple of 4 (the SIMD width): the kernels' padded H, I and O. */
export const roundUp4 = (n: number) => (n + 3) & ~3;

/** The address of src's numbers in wasm memory: in place when it is ours, else a staged copy. */
export function staged(ctx: WasmContext, src: Float, temps: Blocks): number {
  const at = ctx.addressOf(src);
  if (at >= 0) return at;
  const ptr = temps.take(src.length * 4);
  ctx.heap.f32(ptr, src.length).set(src);
  return ptr;
}

/**
 * Rows src [rows, n] as a block with rows of padded length np (zeros in the pad). Returns
 * the address of src itself when it can be read in place (ours, n = np).
 */
export function packRows(ctx: WasmContext, src: Float, rows: number, n: number, np: number, temps: Blocks): number {
  if (n === np) return staged(ctx, src, temps);
  const from = staged(ctx, src, temps);
  const ptr = temps.take(rows * np * 4);
  ctx.kx.batchToTime(rows, rows, 1, n, np, from, ptr); // T = 1: a plain row-by-row pad
  return ptr;
}

/** Gate-major rows [G*H, n] -> [G*Hp, np] with zero rows and columns in the pad. */
export function packGateRows(ctx: WasmContext, src: Float, G: number, H: number, Hp: number, n: number, np: number,
  temps: Blocks): number {
  if (H === Hp) return packRows(ctx, src, G * H, n, np, temps);
  const from = staged(ctx, src, temps);
  const ptr = temps.take(G * Hp * np * 4);
  for (let g = 0; g < G; g++) {
    const dst = ptr + g * Hp * np * 4;
    ctx.kx.batchToTime(H, H, 1, n, np, from + g * H * n * 4, dst);
    ctx.heap.f32(dst + H * np * 4, (Hp - H) * np).fill(0);
  }
  return ptr;
}

/** Copies `rows` rows of H floats, found every `stride` floats from `ptr`, into out at outOffset. */
export function unpackRows(ctx: WasmContext, ptr: number, rows: number, stride: number, H: number, out: Float32Array,
  outOffset: number): void {
  const src = ctx.heap.f32(ptr, (rows - 1) * stride + H);
  if (stride === H) { out.set(src, outOffset); return; }
  for (let r = 0; r < rows; r++) out.set(src.subarray(r * stride, r * stride + H), outOffset + r * H);
}

/** Rows [B, H] of src (zeros when absent) into [B, Hp] rows every `stride` floats at dst, zero-padded. */
export function writeState(ctx: WasmContext, dst: number, B: number, stride: number, H: number, Hp: number,
  src: Float | null | undefined): void {
  const v = ctx.heap.f32(dst, (B - 1) * stride + Hp);
  for (let b = 0; b < B; b++) {
    const row = v.subarray(b * stride, b * stride + Hp);
    row.fill(0);
    if (src) row.set(src.subarray(b * H, b * H + H));
  }
}

/**
 * batchToTime / timeToBatch of B rows, split over the threads by batch rows (a memory-bound
 * copy of the whole sequence, serial otherwise: ~5% of a 2-thread training batch).
 */
function relayout(ctx: WasmContext, fn: 'batchToTime' | 'timeToBatch', B: number, T: number, n: number, np: number,
  src: number, dst: number): void {
  const [timeMajor, batchMajor] = fn === 'batchToTime' ? [dst, src] : [src, dst];
  ctx.pool.run(rowShares(ctx, B, B * T * n).map(([b0, b1]) => {
    const tm = timeMajor + b0 * np * 4, bm = batchMajor + b0 * T * n * 4;
    return { fn, args: [b1 - b0, B, T, n, np, fn === 'batchToTime' ? bm : tm, fn === 'batchToTime' ? tm : bm] };
  }), ctx.kx);
}

/** src [B, T, n] (batch-major, user layout) -> a new block [T, B, np] (time-major, padded). */
export function packTimeMajor(ctx: WasmContext, src: Float, B: number, T: number, n: number, np: number,
  into: Blocks): number {
  // one bulk copy into wasm memory (unless src is ours), then the transpose runs in wasm
  const from = staged(ctx, src, ctx.scratch);
  const ptr = packTimeMajorAt(ctx, from, B, T, n, np, into);
  if (from !== ctx.addressOf(src)) ctx.scratch.release(from, src.length * 4);
  return ptr;
}

/** The same from [B, T, n] at address `from` in wasm memory. */
export function packTimeMajorAt(ctx: WasmContext, from: number, B: number, T: number, n: number, np: number,
  into: Blocks): number {
  const ptr = into.take(B * T * np * 4);
  relayout(ctx, 'batchToTime', B, T, n, np, from, ptr);
  return ptr;
}

/**
 * Block [T, B, np] (time-major, padded) at ptr -> [B, T, n] in `out` (written in place when it
 * lies in wasm memory), or in a new Float32Array.
 */
export function unpackTimeMajor(ctx: WasmContext, ptr: number, B: number, T: number, n: number, np: number,
  out?: Float32Array): Float32Array {
  const at = out === undefined ? -1 : ctx.addressOf(out);
  if (at >= 0) {
    relayout(ctx, 'timeToBatch', B, T, n, np, ptr, at);
    return out!;
  }
  const stage = ctx.scratch.take(B * T * n * 4);
  relayout(ctx, 'timeToBatch', B, T, n, np, ptr, stage);
  const staged = ctx.heap.f32(stage, B * T * n);
  let result: Float32Array;
  if (out !== undefined) { out.set(staged); result = out; }
  else result = staged.slice(); // a plain (unshared) copy
  ctx.scratch.release(stage, B * T * n * 4);
  return result;
}

/**
 * When every row of x [B, T, I] (at address xAt) is one-hot (one 1, zeros elsewhere): a new
 * block [T, B] of the positions of the ones (time-major i32), else 0.
 */
export function oneHotPositions(ctx: WasmContext, xAt: number, B: number, T: number, I: number, into: Blocks): number {
  const { scratch } = ctx;
  const bytes = B * T * 4;
  const tmp = scratch.take(bytes);
  if (ctx.kx.oneHotIds(B, T, I, xAt, tmp) !== 1) { scratch.release(tmp, bytes); return 0; }
  if (into === scratch) return tmp;
  const ptr = into.take(bytes);
  new Uint8Array(ctx.memory.buffer).copyWithin(ptr, tmp, tmp + bytes);
  return ptr;
}
