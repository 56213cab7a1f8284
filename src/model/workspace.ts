// Where a model's buffers live: the backend's memory when its views stay valid (no copies per
// step), else plain arrays; and the scratch buffers reused from call to call.
import type { Float } from '../cells/types.js';
import type { SequenceBackend } from '../cells/sequence-backend.js';

/**
 * Whether views from backend.alloc stay valid for the model's lifetime. Views of a growing
 * non-shared WebAssembly memory are detached when it grows (their length drops to 0), so
 * weights kept there would be lost: a backend whose alloc hands out such views gets plain
 * arrays instead (it then copies them in per call, which is correct, only slower).
 */
function allocIsStable(backend: SequenceBackend): boolean {
  const probe = backend.alloc!(1);
  if (typeof SharedArrayBuffer !== 'undefined' && probe.buffer instanceof SharedArrayBuffer) return true;
  // An ordinary ArrayBuffer of exactly the probe's size is a plain typed array (the js backend).
  return probe.buffer.byteLength === probe.byteLength;
}

/** The allocator of a model's buffers on `backend` (zeroed, in its dtype). */
export function modelAllocator(backend: SequenceBackend): (n: number) => Float {
  const plain = (n: number): Float => (backend.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
  return backend.alloc && allocIsStable(backend) ? (n) => backend.alloc!(n) : plain;
}

/** Scratch buffers reused from call to call (they only grow), so steps do not allocate. */
export class Workspace {
  private bufs = new Map<string, Float | Float64Array>();
  constructor(private alloc: (n: number) => Float) {}

  /** A backend buffer (the dtype of the model) of at least n numbers, as a view of exactly n. */
  get(name: string, n: number): Float {
    let b = this.bufs.get(name) as Float | undefined;
    if (b === undefined || b.length < n) {
      b = this.alloc(n);
      this.bufs.set(name, b);
    }
    return b.length === n ? b : (b.subarray(0, n) as Float);
  }

  /** A float64 accumulator of at least n numbers, as a view of exactly n. */
  f64(name: string, n: number): Float64Array {
    let b = this.bufs.get(name) as Float64Array | undefined;
    if (b === undefined || b.length < n) {
      b = new Float64Array(n);
      this.bufs.set(name, b);
    }
    return b.length === n ? b : b.subarray(0, n);
  }

  clear(): void {
    this.bufs.clear();
  }
}
