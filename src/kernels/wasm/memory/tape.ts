// What a wasm forward run keeps for its backward run: the addresses of its activations in
// wasm memory, and their lifetime. A tape's blocks are freed when backward has consumed them,
// or, for a forward whose backward never comes, when the tape becomes garbage.
import type { WasmHeap } from './heap.js';

/** What forward keeps for backward: addresses of the activations in wasm memory. */
export interface WasmTape {
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

/** Frees tapes' blocks, at backward or at garbage collection, while the backend is live. */
export class TapeKeeper {
  private readonly registry: FinalizationRegistry<number[]>;

  /** `isLive`: false once the backend is disposed (its memory then is no one's to free). */
  constructor(private readonly heap: WasmHeap, private readonly isLive: () => boolean) {
    this.registry = new FinalizationRegistry<number[]>((owned) => this.free(owned));
  }

  /** Frees blocks of a tape (or of a forward run that failed before making one). */
  free(owned: number[]): void {
    if (this.isLive()) for (const p of owned) this.heap.freeBytes(p);
  }

  /** Frees the tape's blocks when it becomes garbage before backward has run. */
  watch(tape: WasmTape): void {
    this.registry.register(tape, tape.owned, tape);
  }

  /** Backward has consumed the tape: free its activations now rather than waiting for the GC. */
  consume(tape: WasmTape): void {
    tape.freed = true;
    this.registry.unregister(tape);
    this.free(tape.owned);
  }
}
