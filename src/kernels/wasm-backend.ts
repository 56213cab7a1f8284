// The fast backend: fused WebAssembly SIMD sequence kernels (float32) on a worker pool over
// shared memory. Same math and same SequenceBackend contract as the reference in src/cells.
//
// B = batch, T = time steps, I = input size, H = hidden size, G = gates (3 pLSTM, 4 LSTM).
// Inside the kernels H and I are padded to multiples of 4 (Hp, Ip) with zero weights, so
// every SIMD row loop is whole, and sequences are time-major ([T, B, ...]) so that one step's
// rows form a dense block for the per-step GEMMs. The backend packs and unpacks at the
// boundary. Buffers from alloc() are read in place (no staging copy); for a streaming step
// (B*T < 16) the weights themselves are used in place when H, I % 4 == 0, while batches work
// on transposed copies of W_ih and W_hh (made once per call, a few hundred microseconds
// against the many milliseconds of the call).
//
// Threads: the forward pass and the backward time loop split the batch rows (rows are
// independent through all steps: no barrier inside the loop). Weight gradients are then
// reduced over all B*T rows with the threads splitting the OUTPUT rows, each sum running over
// the rows in one fixed order, so every result is bit-identical for any thread count.
import { ConfigError, ShapeError } from '../errors.js';
import { gatesOf, type CellConfig, type CellGrads, type CellState, type CellWeights, type Float,
  type SequenceBackend, type SequenceForward } from '../cells/types.js';
import { checkConfig, checkOutput, checkSequence, checkState, checkWeights } from '../cells/validate.js';
import { WasmHeap } from './heap.js';
import { wasmFastPaths, type WasmFastPaths } from './wasm-fast-paths.js';
import { availableCores, canBlock, WorkerPool, type KernelJob } from './pool.js';
import { compiledKernels, createKernelMemory, instantiateKernels, type KernelExports,
  type KernelVariant } from './wasm-module.js';

/** Options of the wasm backend. */
export interface WasmBackendOptions {
  /** Threads including the calling one (default: the available cores). 1 = no workers. */
  threads?: number;
  /** Force a kernel build (default: the best this engine validates). */
  variant?: KernelVariant;
  /**
   * Work (floating-point operations of a call's GEMMs) below which a call runs on the calling
   * thread alone, because handing rows to workers would cost more than it saves
   * (default 2e6: a B = 1 streaming step never leaves the calling thread).
   */
  parallelThreshold?: number;
}

/** The wasm backend, with a few extras over SequenceBackend for benchmarks and tests. */
export interface WasmBackend extends SequenceBackend {
  readonly name: 'wasm';
  readonly dtype: 'float32';
  /** Threads requested (the caller plus workers). */
  readonly threads: number;
  /** Which kernel build runs ('relaxed-simd', 'simd' or 'simd-unshared'). */
  readonly variant: KernelVariant;
  alloc(length: number): Float32Array;
  dispose(): void;
  /**
   * Bytes of wasm memory: held now by alloc() buffers and tapes (usedBytes), by the reusable
   * scratch arena of the calls (scratchBytes), at most so far (peakBytes), and the memory's size.
   */
  memoryStats(): { usedBytes: number; scratchBytes: number; peakBytes: number; memoryBytes: number };
  /** The one-row streaming kernels over this backend's memory (SequenceModel.step's fast path). */
  readonly streaming: StreamingKernels;
  /** The GEMMs over this backend's memory, on the calling thread (the model's linear head). */
  readonly linear: LinearKernels;
  /** Losses over this backend's memory (the model's softmax cross-entropy). */
  readonly loss: LossKernels;
  /** A layer and a linear head on each of its steps in one pass (a model's top layer). */
  readonly headed: HeadedLayer;
  readonly linearHead: WasmFastPaths['linearHead'];
  readonly softmaxXent: WasmFastPaths['softmaxXent'];
  readonly headedLayer: WasmFastPaths['headedLayer'];
  readonly streamStep: WasmFastPaths['streamStep'];
}

/** A linear head on every step of a layer: out [B, T, O] = h W^T + b. */
export interface StepHead {
  W: Float; // [O, H]
  b: Float; // [O]
  O: number;
}

/**
 * forward / backward of SequenceBackend for a layer whose every step feeds a linear head.
 * The head runs on the layer's time-major activations in wasm memory, and backward adds the
 * head's dL/dh of each step inside the time loop, so the [B, T, H] layer output and its
 * gradient are never written out, relaid out and read back. The returned forward's hSeq is
 * empty.
 */
export interface HeadedLayer {
  /** As forward, with the head's logits written into out [B, T, O] (float32). */
  forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, s0: CellState | null,
    needTape: boolean, head: StepHead, out: Float): SequenceForward;
  /**
   * As backward with dL/d(logits) dOut [B, T, O] instead of dhSeq; also writes the head's
   * gradients dW [O, H] and db [O] (float64, overwritten).
   */
  backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, head: StepHead, dOut: Float,
    dW: Float64Array, db: Float64Array, dFinal: Partial<CellState> | null, needDx?: boolean): CellGrads;
}

/** Losses on byte addresses in the backend's memory, rows split over the backend's threads. */
export interface LossKernels {
  /**
   * Softmax cross-entropy of rows out [N, O] (float32 logits) against y [N] (i32), row
   * weights w [N] (float32; 0 = all 1) summing to sumW: nll [N] (float64) gets each row's
   * weighted loss (sum them in row order, then divide by sumW), dOut [N, O] (0 = none) the
   * gradient. The arithmetic of src/model/loss.ts, in wasm (assembly/xent.ts).
   */
  xent(N: number, O: number, out: number, y: number, w: number, sumW: number, dOut: number, nll: number): void;
}

/**
 * GEMMs on byte addresses in the backend's memory, split over the backend's threads when
 * big enough (see assembly/gemm.ts for the shapes each takes: N and K multiples of 4;
 * leading dimensions in elements). No validation, as StreamingKernels.
 */
export interface LinearKernels {
  /** The byte address of buf when it lies in this backend's memory (a view from alloc()), else -1. */
  addressOf(buf: Float): number;
  /** The byte address of a new zeroed block of n floats, held until dispose. */
  reserve(n: number): number;
  /**
   * A view of n floats at ptr. Take a new one after anything that may grow the memory: on
   * the unshared build growing detaches the views made before.
   */
  view(ptr: number, n: number): Float32Array;
  /** C[M, N] = (acc ? C : 0) + A[M, K] B[K, N], rows of C split over the threads. */
  nn(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: boolean): void;
  /** C[M, N] = (acc ? C : 0) + A[M, K] Bt[N, K]^T, rows of C split over the threads. */
  nt(M: number, N: number, K: number, A: number, lda: number, Bt: number, ldb: number, C: number, ldc: number, acc: boolean): void;
  /**
   * C[M, N] += A[K, M]^T B[K, N] (M, N % 4 == 0), a sum over K rows in a fixed order; columns
   * of C split over the threads, so the result does not depend on their number.
   */
  tn(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number): void;
  /** dst [R, n] = src [R, np] with zeros in the np - n pad lanes of each row (np >= n). */
  pad(R: number, n: number, np: number, src: number, dst: number): void;
  /** dst [R, n] = the first n of each row of src [R, np], plus bias [n]. */
  unpadBias(R: number, n: number, np: number, src: number, bias: number, dst: number): void;
}

/**
 * One-row (B = 1, T = 1) step kernels that read weights in place and update the state in
 * place (see assembly/stream-step.ts). Every pointer is a byte address in the backend's
 * memory, i.e. the `byteOffset` of a buffer from alloc(); H must be a multiple of 4.
 * No validation: the caller checks shapes once and passes addresses from addressOf.
 */
export interface StreamingKernels {
  /** The byte address of buf when it lies in this backend's memory (a view from alloc()), else -1. */
  addressOf(buf: Float): number;
  /**
   * pLSTM layer step: xId >= 0 gathers column xId of wIh [3H, I] (one-hot), else reads x [I].
   * pSeen [H]: the exponents, the fixed p in every lane or a cache of p = sigmoid(theta)
   * (thetaSeen [H]: zeros and pSeen 0.5s at first).
   */
  plstmStep: KernelExports['plstmStreamStep'];
  /** LSTM layer step, the same way (wIh [4H, I], z [4H]). */
  lstmStep: KernelExports['lstmStreamStep'];
  /** out [O] = b [O] + W [O, H] h [H]. */
  headStep: KernelExports['headStep'];
}

/** What forward keeps for backward: addresses of the activations in wasm memory. */
interface WasmTape {
  kind: 'wasm-tape';
  cell: 'plstm' | 'lstm';
  B: number; T: number; I: number; H: number; Ip: number; Hp: number;
  act: number; // [T, B, G*Hp] gate activations (r, o, g | i, f, g, o)
  hbuf: number; // [T+1, B, Hp] h0, h_1 .. h_T
  cbuf: number; // [T+1, B, Hp] c0, c_1 .. c_T
  abuf: number; // [T+1, B, Hp] pLSTM ages a0 .. a_T (0 for the LSTM)
  fbuf: number; // [T, B, Hp] pLSTM forget gates (0 for the LSTM)
  x: number; // [T, B, Ip] the input as the kernels read it, or 0 with ids
  ids: number; // [T, B] i32 positions of one-hot inputs (then x = 0), or 0
  biasLane: boolean; // x[..., I] = 1, so column I of dW_ih is db
  owned: number[]; // blocks to free with the tape
  /** Bytes of activation memory this tape holds (O(B*T*H)). */
  bytes: number;
  freed: boolean;
}

const roundUp4 = (n: number) => (n + 3) & ~3;
/** Default parallelThreshold (see WasmBackendOptions). */
const MIN_PARALLEL_FLOPS = 2e6;

/**
 * The fused WebAssembly kernels as a SequenceBackend ('wasm', float32). Synchronous; on a
 * browser's main thread call `await preloadWasmKernels()` once first (engines refuse to
 * compile big modules synchronously there) and expect one thread (it cannot block to join
 * workers). Workers start on the first call big enough to split and never keep a Node
 * process alive; dispose() stops them.
 */
export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  const requested = opts.threads ?? availableCores();
  if (!(Number.isInteger(requested) && requested >= 1)) {
    throw new ConfigError(`threads must be a positive integer, got ${opts.threads}`);
  }
  const minParallel = opts.parallelThreshold ?? MIN_PARALLEL_FLOPS;
  const compiled = compiledKernels(opts.variant);
  // one thread where workers cannot share memory or the caller cannot block to join them
  const threads = compiled.shared && canBlock() ? requested : 1;
  const memory = createKernelMemory(compiled.shared);
  const kx: KernelExports = instantiateKernels(compiled.module, memory);
  const heap = new WasmHeap(memory, kx.heapBase());
  const pool = new WorkerPool(compiled.module, memory, compiled.shared ? threads - 1 : 0);
  // Every ArrayBuffer we have made views on: a Float32Array over one of these is ours.
  const ownBuffers = new WeakSet<ArrayBufferLike>();
  let disposed = false;
  const freeTape = (owned: number[]) => { if (!disposed) for (const p of owned) heap.freeBytes(p); };
  const tapeRegistry = new FinalizationRegistry<number[]>(freeTape);

  /**
   * Where a call's blocks come from: `scratch` (a bump arena, emptied when the call returns:
   * a streaming step allocates nothing from the heap) or a tape's own list (kept until
   * backward has run).
   */
  interface Blocks { take(bytes: number): number }
  const scratch = {
    block: -1, size: 0, top: 0, retired: [] as number[],
    live: 0, // bytes taken and not released in this call
    high: 0, // the most live at once in this call: the size the arena settles at
    take(bytes: number): number {
      const need = Math.ceil(bytes / 64) * 64 || 64;
      if (this.top + need > this.size) {
        // a new block of just what is needed (no doubling slack in the memory peak); the old
        // one is still in use by this call and is freed when the call ends
        if (this.block >= 0) this.retired.push(this.block);
        this.size = Math.max(need, 1 << 16);
        this.block = heap.allocBytes(this.size);
        this.top = 0;
      }
      const ptr = this.block + this.top;
      this.top += need;
      this.live += need;
      this.high = Math.max(this.high, this.live);
      return ptr;
    },
    /** Gives back the most recent take (a staging copy used only for a moment). */
    release(ptr: number, bytes: number): void {
      const need = Math.ceil(bytes / 64) * 64 || 64;
      if (ptr + need === this.block + this.top) { this.top -= need; this.live -= need; }
    },
    reset(): void {
      this.top = 0;
      this.live = 0;
      if (this.retired.length > 0 || this.size > 64 * 2 ** 20) {
        for (const r of this.retired) heap.freeBytes(r);
        this.retired.length = 0;
        heap.freeBytes(this.block);
        // settle at one block as big as this call needed, unless that is huge (a one-off
        // big call should not hold its scratch afterwards)
        this.size = this.high <= 64 * 2 ** 20 ? Math.max(this.high, 1 << 16) : 0;
        this.block = this.size > 0 ? heap.allocBytes(this.size) : -1;
      }
      this.high = 0;
    },
  };
  const keptList = (owned: number[]): Blocks => ({
    take(bytes: number): number { const p = heap.allocBytes(bytes); owned.push(p); return p; },
  });

  function view(ptr: number, n: number): Float32Array {
    const v = heap.f32(ptr, n);
    ownBuffers.add(v.buffer);
    return v;
  }
  /** Address of a buffer the kernels may read in place, or -1. */
  function addressOf(buf: Float): number {
    return buf instanceof Float32Array && ownBuffers.has(buf.buffer) ? buf.byteOffset : -1;
  }
  function live(): void {
    if (disposed) throw new ConfigError('this wasm backend was disposed: create a new one');
  }

  /** The address of src's numbers in wasm memory: in place when it is ours, else a staged copy. */
  function staged(src: Float, temps: Blocks): number {
    const at = addressOf(src);
    if (at >= 0) return at;
    const ptr = temps.take(src.length * 4);
    heap.f32(ptr, src.length).set(src);
    return ptr;
  }

  /**
   * Rows src [rows, n] as a block with rows of padded length np (zeros in the pad). Returns
   * the address of src itself when it can be read in place (ours, n = np).
   */
  function packRows(src: Float, rows: number, n: number, np: number, temps: Blocks): number {
    if (n === np) return staged(src, temps);
    const from = staged(src, temps);
    const ptr = temps.take(rows * np * 4);
    kx.batchToTime(rows, rows, 1, n, np, from, ptr); // T = 1: a plain row-by-row pad
    return ptr;
  }

  /** Gate-major rows [G*H, n] -> [G*Hp, np] with zero rows and columns in the pad. */
  function packGateRows(src: Float, G: number, H: number, Hp: number, n: number, np: number, temps: Blocks): number {
    if (H === Hp) return packRows(src, G * H, n, np, temps);
    const from = staged(src, temps);
    const ptr = temps.take(G * Hp * np * 4);
    for (let g = 0; g < G; g++) {
      const dst = ptr + g * Hp * np * 4;
      kx.batchToTime(H, H, 1, n, np, from + g * H * n * 4, dst);
      heap.f32(dst + H * np * 4, (Hp - H) * np).fill(0);
    }
    return ptr;
  }

  interface Packed { wIh: number; wHh: number; bias: number; p: number }

  function packWeights(cfg: CellConfig, w: CellWeights, temps: Blocks): Packed {
    const G = gatesOf(cfg.kind), H = cfg.hiddenSize, I = cfg.inputSize, Hp = roundUp4(H), Ip = roundUp4(I);
    const wIh = packGateRows(w.wIh, G, H, Hp, I, Ip, temps); // [G*Hp, Ip]
    const wHh = packGateRows(w.wHh, G, H, Hp, H, Hp, temps); // [G*Hp, Hp]
    const bias = packGateRows(w.b, G, H, Hp, 1, 1, temps); // [G*Hp]
    if (cfg.kind !== 'plstm') return { wIh, wHh, bias, p: 0 };
    // effective exponents p = sigmoid(theta) or the fixed p (float32, computed in wasm)
    const p = temps.take(Hp * 4);
    kx.exponents(H, Hp, cfg.fixedP === null ? staged(w.theta!, temps) : 0, cfg.fixedP ?? 0, p);
    return { wIh, wHh, bias, p };
  }

  /** Batch-row shares [b0, b1) for one call; one share when the work is small. */
  function rowShares(B: number, flops: number): Array<[number, number]> {
    const n = flops < minParallel ? 1 : Math.min(threads, B, pool.threads);
    const shares: Array<[number, number]> = [];
    for (let s = 0; s < n; s++) shares.push([Math.floor((B * s) / n), Math.floor((B * (s + 1)) / n)]);
    return shares;
  }

  /** Ranges of multiples of 4 of [0, n) (n % 4 == 0) for `parts` threads. */
  function splitBy4(n: number, parts: number, s: number): [number, number] {
    const q = n / 4;
    return [Math.floor((q * s) / parts) * 4, Math.floor((q * (s + 1)) / parts) * 4];
  }

  /** Copies `rows` rows of H floats, found every `stride` floats from `ptr`, into out at outOffset. */
  function unpackRows(ptr: number, rows: number, stride: number, H: number, out: Float32Array, outOffset: number): void {
    const src = heap.f32(ptr, (rows - 1) * stride + H);
    if (stride === H) { out.set(src, outOffset); return; }
    for (let r = 0; r < rows; r++) out.set(src.subarray(r * stride, r * stride + H), outOffset + r * H);
  }

  /**
   * batchToTime / timeToBatch of B rows, split over the threads by batch rows (a memory-bound
   * copy of the whole sequence, serial otherwise: ~5% of a 2-thread training batch).
   */
  function relayout(fn: 'batchToTime' | 'timeToBatch', B: number, T: number, n: number, np: number,
    src: number, dst: number): void {
    const [timeMajor, batchMajor] = fn === 'batchToTime' ? [dst, src] : [src, dst];
    pool.run(rowShares(B, B * T * n).map(([b0, b1]) => {
      const tm = timeMajor + b0 * np * 4, bm = batchMajor + b0 * T * n * 4;
      return { fn, args: [b1 - b0, B, T, n, np, fn === 'batchToTime' ? bm : tm, fn === 'batchToTime' ? tm : bm] };
    }), kx);
  }

  /** src [B, T, n] (batch-major, user layout) -> a new block [T, B, np] (time-major, padded). */
  function packTimeMajor(src: Float, B: number, T: number, n: number, np: number, into: Blocks): number {
    // one bulk copy into wasm memory (unless src is ours), then the transpose runs in wasm
    const from = staged(src, scratch);
    const ptr = packTimeMajorAt(from, B, T, n, np, into);
    if (from !== addressOf(src)) scratch.release(from, src.length * 4);
    return ptr;
  }

  /** The same from [B, T, n] at address `from` in wasm memory. */
  function packTimeMajorAt(from: number, B: number, T: number, n: number, np: number, into: Blocks): number {
    const ptr = into.take(B * T * np * 4);
    relayout('batchToTime', B, T, n, np, from, ptr);
    return ptr;
  }

  /**
   * Block [T, B, np] (time-major, padded) at ptr -> [B, T, n] in `out` (written in place when it
   * lies in wasm memory), or in a new Float32Array.
   */
  function unpackTimeMajor(ptr: number, B: number, T: number, n: number, np: number, out?: Float32Array): Float32Array {
    const at = out === undefined ? -1 : addressOf(out);
    if (at >= 0) {
      relayout('timeToBatch', B, T, n, np, ptr, at);
      return out!;
    }
    const stage = scratch.take(B * T * n * 4);
    relayout('timeToBatch', B, T, n, np, ptr, stage);
    const staged = heap.f32(stage, B * T * n);
    let result: Float32Array;
    if (out !== undefined) { out.set(staged); result = out; }
    else result = staged.slice(); // a plain (unshared) copy
    scratch.release(stage, B * T * n * 4);
    return result;
  }

  /**
   * When every row of x [B, T, I] (at address xAt) is one-hot (one 1, zeros elsewhere): a new
   * block [T, B] of the positions of the ones (time-major i32), else 0.
   */
  function oneHotPositions(xAt: number, B: number, T: number, I: number, into: Blocks): number {
    const bytes = B * T * 4;
    const tmp = scratch.take(bytes);
    if (kx.oneHotIds(B, T, I, xAt, tmp) !== 1) { scratch.release(tmp, bytes); return 0; }
    if (into === scratch) return tmp;
    const ptr = into.take(bytes);
    new Uint8Array(memory.buffer).copyWithin(ptr, tmp, tmp + bytes);
    return ptr;
  }

  function writeState(dst: number, B: number, stride: number, H: number, Hp: number, src: Float | null | undefined): void {
    const v = heap.f32(dst, (B - 1) * stride + Hp);
    for (let b = 0; b < B; b++) {
      const row = v.subarray(b * stride, b * stride + Hp);
      row.fill(0);
      if (src) row.set(src.subarray(b * H, b * H + H));
    }
  }

  /** C[M, N] = (acc ? C : 0) + A[M, K] Bt[N, K]^T, rows of C split over the threads. */
  function ntRows(M: number, N: number, K: number, A: number, lda: number, Bt: number, ldb: number, C: number, ldc: number, acc: boolean): void {
    pool.run(rowShares(M, 2 * M * N * K).map(([m0, m1]) => ({
      fn: 'gemmNT', args: [m1 - m0, N, K, A + m0 * lda * 4, lda, Bt, ldb, C + m0 * ldc * 4, ldc, acc ? 1 : 0],
    })), kx);
  }

  /** C[M, N] += A[K, M]^T B[K, N], columns of C split over the threads (see LinearKernels.tn). */
  function tnColumns(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number): void {
    // by columns: the head's dW has M = 12 rows (a 4 + 8 split) and N = 128 columns (64 + 64)
    const parts = 2 * M * N * K < minParallel ? 1 : Math.min(threads, pool.threads, N / 4);
    const jobs: KernelJob[] = [];
    for (let s = 0; s < parts; s++) {
      const [n0, n1] = splitBy4(N, parts, s);
      if (n1 > n0) jobs.push({ fn: 'gemmTNBlocked', args: [0, M, n1 - n0, K, A, lda, B + n0 * 4, ldb, C + n0 * 4, ldc] });
    }
    pool.run(jobs, kx);
  }

  function checkHead(head: StepHead, H: number, rows: Float, N: number, what: string): void {
    if (!(Number.isInteger(head.O) && head.O > 0)) throw new ShapeError(`the head needs O >= 1 outputs, got ${head.O}`);
    if (head.W.length !== head.O * H) throw new ShapeError(`the head's W has ${head.W.length} numbers, expected [O, H] = ${head.O * H}`);
    if (head.b.length !== head.O) throw new ShapeError(`the head's b has ${head.b.length} numbers, expected [O] = ${head.O}`);
    if (rows.length !== N * head.O) throw new ShapeError(`${what} has ${rows.length} numbers, expected [B, T, O] = ${N * head.O}`);
  }

  /** out [B, T, O] = h W^T + b from the layer's time-major h [T, B, Hp] at hRows. */
  function headLogits(head: StepHead, out: Float, B: number, T: number, H: number, Hp: number, hRows: number): void {
    const O = head.O, Op = roundUp4(O), R = T * B;
    const wp = packGateRows(head.W, 1, O, Op, H, Hp, scratch); // [Op, Hp]
    const bp = scratch.take(Op * 4); // [Op]
    const bv = heap.f32(bp, Op);
    bv.fill(0);
    bv.set(head.b);
    const logits = scratch.take(R * Op * 4); // [T, B, Op]
    kx.fillRows(R, Op, bp, logits, Op);
    ntRows(R, Op, Hp, hRows, Hp, wp, Hp, logits, Op, true);
    unpackTimeMajor(logits, B, T, O, Op, out as Float32Array);
  }

  /**
   * The head's dW [O, H] = dOut^T h and db [O] = column sums of dOut (float32 sums over the
   * R = T*B rows in row order, stored as float64), from time-major dOut [R, Op] and h [R, Hp].
   */
  function headGrads(dW: Float64Array, db: Float64Array, R: number, H: number, Hp: number, O: number, Op: number,
    dOut: number, hRows: number): void {
    const dwp = scratch.take(Op * Hp * 4); // [Op, Hp]
    heap.f32(dwp, Op * Hp).fill(0);
    tnColumns(Op, Hp, R, dOut, Op, hRows, Hp, dwp, Hp);
    const dbp = scratch.take(Op * 4); // [Op]
    kx.columnSums(R, 0, Op, dOut, Op, dbp);
    const dwv = heap.f32(dwp, Op * Hp), dbv = heap.f32(dbp, Op);
    for (let o = 0; o < O; o++) {
      for (let k = 0; k < H; k++) dW[o * H + k] = dwv[o * Hp + k];
      db[o] = dbv[o];
    }
  }

  /** forward, and with `head` the headed layer's forward (HeadedLayer). */
  function runForward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, s0: CellState | null,
    needTape: boolean, hSeqOut: Float | undefined, head: { head: StepHead; out: Float } | null): SequenceForward {
    live();
    checkConfig(cfg);
    if (cfg.kind !== 'plstm' && cfg.kind !== 'lstm') {
      throw new ConfigError(`the wasm kernels run the "plstm" and "lstm" cells only, not ${JSON.stringify(cfg.kind)}: use backend "js" for this cell`);
    }
    checkWeights(cfg, w);
    checkSequence(cfg, x, B, T);
    if (s0) checkState(cfg, s0, B, 'initial state', false);
    if (hSeqOut !== undefined) checkOutput(hSeqOut, 'float32', B * T * cfg.hiddenSize);
    if (head) checkHead(head.head, cfg.hiddenSize, head.out, B * T, 'out');
    const plstm = cfg.kind === 'plstm';
    const G = gatesOf(cfg.kind), H = cfg.hiddenSize, I = cfg.inputSize, Hp = roundUp4(H), Ip = roundUp4(I);
    const GHp = G * Hp;
    const kept: number[] = []; // freed with the tape
    const tapeList: Blocks = needTape ? keptList(kept) : scratch;
    try {
      const pw = packWeights(cfg, w, scratch);
      // For batches, W_ih^T and W_hh^T make the per-step products register-blocked NN GEMMs
      // (not worth the transposes for a few rows: a streaming step reads W in place). When I
      // is not a multiple of 4, input lane I is a free pad: it holds a constant 1 and row I of
      // W_ih^T the bias, so the input product adds the bias (and backward gets db from dW_ih).
      const batch = B * T >= 16;
      // One-hot inputs (every row of x a single 1): the input part of a step is a row gather
      // of W_ih^T and dW_ih a scatter of dz rows, instead of GEMMs with K = I (copy task,
      // character models: 10-20% of a training batch). x then is not copied at all.
      const xAt = staged(x, scratch); // [B, T, I] in wasm memory (in place when x is ours)
      const ids = batch ? oneHotPositions(xAt, B, T, I, tapeList) : 0; // [T, B] i32
      const xPtr = ids === 0 ? packTimeMajorAt(xAt, B, T, I, Ip, tapeList) : 0; // [T, B, Ip]
      const biasLane = batch && I < Ip && ids === 0;
      let wIhT = 0, wHhT = 0;
      if (batch) {
        wIhT = scratch.take(Ip * GHp * 4);
        kx.transpose(GHp, Ip, pw.wIh, wIhT);
        wHhT = scratch.take(Hp * GHp * 4);
        kx.transpose(GHp, Hp, pw.wHh, wHhT);
      }
      if (biasLane) {
        kx.fillColumn(T * B, Ip, I, 1, xPtr);
        heap.f32(wIhT + I * GHp * 4, GHp).set(heap.f32(pw.bias, GHp));
      }
      const biasArg = biasLane ? 0 : pw.bias;
      const block = (floats: number, list: Blocks) => list.take(floats * 4);
      const steps = needTape ? T : 1; // time blocks of act, c, a, f kept
      const act = block(steps * B * GHp, tapeList); // [T, B, G*Hp] or [B, G*Hp]
      const hbuf = block((T + 1) * B * Hp, tapeList); // [T+1, B, Hp]
      const sBlocks = needTape ? T + 1 : 1;
      const cbuf = block(sBlocks * B * Hp, tapeList); // [T+1, B, Hp] or [B, Hp]
      const abuf = plstm ? block(sBlocks * B * Hp, tapeList) : 0;
      const fbuf = plstm ? block(steps * B * Hp, tapeList) : 0; // [T, B, Hp] or [B, Hp]
      writeState(hbuf, B, Hp, H, Hp, s0?.h);
      writeState(cbuf, B, Hp, H, Hp, s0?.c);
      if (plstm) writeState(abuf, B, Hp, H, Hp, s0?.a);

      const jobs: KernelJob[] = rowShares(B, 2 * B * T * GHp * (Hp + Ip)).map(([b0, b1]) => {
        const Bc = b1 - b0;
        const at = (ptr: number, rowFloats: number) => (ptr === 0 ? 0 : ptr + b0 * rowFloats * 4);
        // with a tape, each share forms a step's pre-activations in a block of its own that
        // stays in cache (see plstm-forward.ts); without one, act itself is that block
        const zs = needTape ? scratch.take(Bc * GHp * 4) : 0; // [Bc, G*Hp]
        return plstm
          ? { fn: 'plstmForward', args: [Bc, B, T, Ip, Hp, at(xPtr, Ip), at(ids, 1), pw.wIh, wIhT, pw.wHh, wHhT, biasArg,
            pw.p, cfg.eps, at(act, GHp), at(hbuf, Hp), at(cbuf, Hp), at(abuf, Hp), at(fbuf, Hp), needTape ? 1 : 0, zs] }
          : { fn: 'lstmForward', args: [Bc, B, T, Ip, Hp, at(xPtr, Ip), at(ids, 1), pw.wIh, wIhT, pw.wHh, wHhT, biasArg,
            at(act, GHp), at(hbuf, Hp), at(cbuf, Hp), needTape ? 1 : 0, zs] };
      });
      pool.run(jobs, kx);
      const hSeq = head === null // [B, T, H], or nothing when the head consumes it here
        ? unpackTimeMajor(hbuf + B * Hp * 4, B, T, H, Hp, hSeqOut as Float32Array | undefined)
        : (headLogits(head.head, head.out, B, T, H, Hp, hbuf + B * Hp * 4), new Float32Array(0));
      const lastSlot = needTape ? T * B * Hp * 4 : 0;
      const final: CellState = {
        h: new Float32Array(B * H), c: new Float32Array(B * H), a: plstm ? new Float32Array(B * H) : null,
      };
      unpackRows(hbuf + T * B * Hp * 4, B, Hp, H, final.h as Float32Array, 0);
      unpackRows(cbuf + lastSlot, B, Hp, H, final.c as Float32Array, 0);
      if (plstm) unpackRows(abuf + lastSlot, B, Hp, H, final.a as Float32Array, 0);
      let tape: WasmTape | null = null;
      if (needTape) {
        tape = {
          kind: 'wasm-tape', cell: cfg.kind as 'plstm' | 'lstm', B, T, I, H, Ip, Hp, act, hbuf, cbuf, abuf, fbuf, x: xPtr, ids, biasLane,
          owned: kept, freed: false,
          bytes: 4 * (B * T * GHp + 2 * B * (T + 1) * Hp + B * T * (ids === 0 ? Ip : 1)
            + (plstm ? B * (T + 1) * Hp + B * T * Hp : 0)),
        };
      }
      const result: SequenceForward = { hSeq, final, tape };
      // freed when backward has run, or when the tape becomes garbage (a forward whose
      // backward never comes)
      if (tape) tapeRegistry.register(tape, kept, tape);
      return result;
    } catch (e) {
      for (const p of kept) heap.freeBytes(p);
      throw e;
    } finally {
      scratch.reset();
    }
  }

  /** backward, and with `head` the headed layer's backward (HeadedLayer). */
  function runBackward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, dhSeq: Float | null,
    dFinal: Partial<CellState> | null, needDx: boolean,
    head: { head: StepHead; dOut: Float; dW: Float64Array; db: Float64Array } | null): CellGrads {
    live();
    checkConfig(cfg);
    checkWeights(cfg, w);
    const tape = fwd.tape as WasmTape | null;
    if (!tape || tape.kind !== 'wasm-tape') {
      throw new ShapeError('backward needs a forward run of this backend with needTape = true');
    }
    if (tape.freed) throw new ShapeError('backward already ran on this forward result (its activations are freed): run forward again');
    if (tape.cell !== cfg.kind || tape.H !== cfg.hiddenSize || tape.I !== cfg.inputSize) {
      throw new ShapeError('backward got a config that differs from the forward run');
    }
    const { B, T, H, I, Hp, Ip } = tape;
    checkSequence(cfg, x, B, T);
    if (dhSeq !== null && dhSeq.length !== B * T * H) {
      throw new ShapeError(`dhSeq has ${dhSeq.length} numbers, expected [B, T, H] = ${B * T * H}`);
    }
    if (dFinal) checkState(cfg, dFinal, B, 'dFinal', true);
    if (head) {
      checkHead(head.head, H, head.dOut, B * T, 'dOut');
      if (head.dW.length !== head.head.O * H || head.db.length !== head.head.O) {
        throw new ShapeError(`the head's gradients need dW [O, H] = ${head.head.O * H} and db [O] = ${head.head.O} numbers`);
      }
    }
    const plstm = cfg.kind === 'plstm';
    const G = gatesOf(cfg.kind), GHp = G * Hp;
    try {
      const pw = packWeights(cfg, w, scratch);
      const dSeq = dhSeq === null ? 0 : packTimeMajor(dhSeq, B, T, H, Hp, scratch); // [T, B, Hp]
      const carried = (src: Float | null | undefined) => { // [B, Hp]
        const p = scratch.take(B * Hp * 4);
        writeState(p, B, Hp, H, Hp, src);
        return p;
      };
      const dh = carried(dFinal?.h), dc = carried(dFinal?.c), da = plstm ? carried(dFinal?.a) : 0;
      const dx = needDx ? scratch.take(T * B * Ip * 4) : 0; // [T, B, Ip]
      // the head's dL/d(logits), time-major [T, B, Op], and its weights [Op, Hp]
      const O = head?.head.O ?? 0, Op = roundUp4(O);
      const dOut = head ? packTimeMajor(head.dOut, B, T, O, Op, scratch) : 0;
      const wOut = head ? packGateRows(head.head.W, 1, O, Op, H, Hp, scratch) : 0;
      // phase 1: the time loop, batch rows split across threads
      const flops = 2 * B * T * GHp * (Hp + Ip);
      const shares = rowShares(B, flops);
      pool.run(shares.map(([b0, b1]) => {
        const Bc = b1 - b0;
        const at = (ptr: number, rowFloats: number) => (ptr === 0 ? 0 : ptr + b0 * rowFloats * 4);
        return plstm
          ? { fn: 'plstmBackwardSteps', args: [Bc, B, T, Ip, Hp, pw.wIh, pw.wHh, pw.p, cfg.eps,
            at(tape.act, GHp), at(tape.cbuf, Hp), at(tape.abuf, Hp), at(tape.fbuf, Hp),
            at(dSeq, Hp), at(dh, Hp), at(dc, Hp), at(da, Hp), at(dx, Ip), at(dOut, Op), wOut, Op] }
          : { fn: 'lstmBackwardSteps', args: [Bc, B, T, Ip, Hp, pw.wIh, pw.wHh,
            at(tape.act, GHp), at(tape.cbuf, Hp), at(dSeq, Hp), at(dh, Hp), at(dc, Hp), at(dx, Ip), at(dOut, Op), wOut, Op] };
      }), kx);
      // phase 2: weight gradients, output rows split across threads, fixed summation order
      const dWIh = scratch.take(GHp * Ip * 4), dWHh = scratch.take(GHp * Hp * 4);
      const db = scratch.take(GHp * 4), dP = scratch.take(Hp * 4);
      const dWIhT = tape.ids !== 0 ? scratch.take(Ip * GHp * 4) : 0; // [Ip, GHp] one-hot dW_ih sums
      const parts = flops < minParallel ? 1 : Math.min(threads, pool.threads, GHp / 4);
      const jobs: KernelJob[] = [];
      for (let s = 0; s < parts; s++) {
        const [j0, j1] = splitBy4(GHp, parts, s);
        const [u0, u1] = splitBy4(Hp, parts, s);
        const pack = scratch.take(kx.weightGradsScratch(Hp)); // this thread's packed panels
        jobs.push({ fn: 'weightGrads', args: [T * B, Ip, Hp, G, j0, j1, u0, u1, tape.act, tape.hbuf, tape.x,
          tape.ids, dWIhT, plstm ? tape.fbuf : 0, dWIh, dWHh, tape.biasLane ? 0 : db, dP, pack] });
      }
      pool.run(jobs, kx);
      if (head) headGrads(head.dW, head.db, B * T, H, Hp, O, Op, dOut, tape.hbuf + B * Hp * 4);

      // unpack [G*Hp, n] -> [G*H, n]
      const gateRows = (ptr: number, n: number, np: number) => {
        const out = new Float32Array(G * H * n);
        for (let g = 0; g < G; g++) unpackRows(ptr + g * Hp * np * 4, H, np, n, out, g * H * n);
        return out;
      };
      // column `col` of [G*Hp, np] -> [G*H]
      const gateColumn = (ptr: number, col: number, np: number) => {
        const out = new Float32Array(G * H);
        const src = heap.f32(ptr, G * Hp * np);
        for (let g = 0; g < G; g++) for (let j = 0; j < H; j++) out[g * H + j] = src[(g * Hp + j) * np + col];
        return out;
      };
      const grads: CellGrads = {
        dx: needDx ? unpackTimeMajor(dx, B, T, I, Ip) : new Float32Array(0),
        dWIh: gateRows(dWIh, I, Ip),
        dWHh: gateRows(dWHh, H, Hp),
        db: tape.biasLane ? gateColumn(dWIh, I, Ip) : gateRows(db, 1, 1),
        dTheta: null,
        d0: { h: new Float32Array(B * H), c: new Float32Array(B * H), a: plstm ? new Float32Array(B * H) : null },
      };
      unpackRows(dh, B, Hp, H, grads.d0.h as Float32Array, 0);
      unpackRows(dc, B, Hp, H, grads.d0.c as Float32Array, 0);
      if (plstm) {
        unpackRows(da, B, Hp, H, grads.d0.a as Float32Array, 0);
        const dTheta = new Float32Array(H); // dL/dtheta = dL/dp p (1 - p); zeros when p is fixed
        if (cfg.fixedP === null) {
          const dPv = heap.f32(dP, Hp), pv = heap.f32(pw.p, Hp);
          for (let j = 0; j < H; j++) dTheta[j] = dPv[j] * pv[j] * (1 - pv[j]);
        }
        grads.dTheta = dTheta;
      }
      return grads;
    } finally {
      scratch.reset();
      // the activations are consumed: free them now rather than waiting for the GC
      tape.freed = true;
      tapeRegistry.unregister(tape);
      freeTape(tape.owned);
    }
  }

  const backend: Omit<WasmBackend, keyof WasmFastPaths> = {
    name: 'wasm',
    dtype: 'float32',
    threads,
    variant: compiled.variant,

    forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, s0: CellState | null,
      needTape: boolean, hSeqOut?: Float): SequenceForward {
      return runForward(cfg, w, x, B, T, s0, needTape, hSeqOut, null);
    },

    backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, dhSeq: Float | null,
      dFinal: Partial<CellState> | null, needDx = true): CellGrads {
      return runBackward(cfg, w, x, fwd, dhSeq, dFinal, needDx, null);
    },

    headed: {
      forward(cfg, w, x, B, T, s0, needTape, head, out) {
        return runForward(cfg, w, x, B, T, s0, needTape, undefined, { head, out });
      },
      backward(cfg, w, x, fwd, head, dOut, dW, db, dFinal, needDx = true) {
        return runBackward(cfg, w, x, fwd, null, dFinal, needDx, { head, dOut, dW, db });
      },
    },

    alloc(length: number): Float32Array {
      live();
      if (!(Number.isInteger(length) && length >= 0)) throw new ShapeError(`alloc needs a length >= 0, got ${length}`);
      return view(heap.allocF32(length), length);
    },

    linear: {
      addressOf,
      reserve(n) { live(); return heap.allocF32(n); },
      view: (ptr, n) => heap.f32(ptr, n),
      nn(M, N, K, A, lda, B, ldb, C, ldc, acc) {
        pool.run(rowShares(M, 2 * M * N * K).map(([m0, m1]) => ({
          fn: 'gemmNN', args: [m1 - m0, N, K, A + m0 * lda * 4, lda, B, ldb, C + m0 * ldc * 4, ldc, acc ? 1 : 0],
        })), kx);
      },
      nt: ntRows,
      tn: tnColumns,
      pad(R, n, np, src, dst) {
        pool.run(rowShares(R, R * np).map(([r0, r1]) => ({
          fn: 'batchToTime', args: [r1 - r0, r1 - r0, 1, n, np, src + r0 * n * 4, dst + r0 * np * 4], // T = 1: rows padded
        })), kx);
      },
      unpadBias(R, n, np, src, bias, dst) {
        pool.run(rowShares(R, R * np).map(([r0, r1]) => ({
          fn: 'unpadRowsBias', args: [r1 - r0, n, np, src + r0 * np * 4, bias, dst + r0 * n * 4],
        })), kx);
      },
    },

    loss: {
      xent(N, O, out, y, w, sumW, dOut, nll) {
        // ~25 flops' worth of work per logit (exp and the rest): split only big batches
        pool.run(rowShares(N, 25 * N * O).map(([n0, n1]) => ({
          fn: 'xentRows', args: [n0, n1, O, out, y, w, sumW, dOut, nll],
        })), kx);
      },
    },

    streaming: {
      addressOf,
      plstmStep: kx.plstmStreamStep,
      lstmStep: kx.lstmStreamStep,
      headStep: kx.headStep,
    },

    memoryStats() {
      return {
        usedBytes: heap.used - scratch.size, scratchBytes: scratch.size, peakBytes: heap.peak,
        memoryBytes: memory.buffer.byteLength,
      };
    },

    dispose(): void {
      if (disposed) return;
      disposed = true;
      pool.dispose();
    },
  };
  return Object.assign(backend, wasmFastPaths(backend));
}
