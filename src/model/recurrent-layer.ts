// Recurrent layers as units, in the spirit of tfjs-layers' split between a cell and the RNN
// that loops it over time: a RecurrentLayer is one direction of a cell (its descriptor,
// config and weight views) run over whole sequences by a backend, forward in time or
// reversed; a LayerUnit is what a model stacks: one direction, or two concatenated
// (bidirectional). The backend does the time loop (fused kernels or the reference cells);
// the unit does what lies around it: reversing time, concatenating directions, and storing
// weight gradients.
//
// B = batch, T = time steps, I = input size, H = hidden size of one direction,
// W = output width of a unit (H, or 2H when bidirectional).
import type { CellConfig, CellGrads, CellState, CellWeights, Float, SequenceForward } from '../cells/types.js';
import type { SequenceBackend } from '../cells/sequence-backend.js';
import { cellDescriptor } from '../cells/registry.js';
import type { CellDescriptor } from '../cells/descriptor.js';

/** Views of one direction's weight gradients in the model's flat gradient buffer. */
export interface WeightGradViews {
  wIh: Float; // [G*H, I]
  wHh: Float; // [G*H, H]
  b: Float; // [G*H]
  theta: Float | null; // [H] learned p only
}

/** Scratch buffers of the model's dtype by name, reused from call to call. */
export type Scratch = (name: string, n: number) => Float;

/** out [B, T, n] = x [B, T, n] with the time axis reversed (out and x must differ). */
export function reverseTime(out: Float, x: Float, B: number, T: number, n: number): Float {
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = (b * T + t) * n, dst = (b * T + (T - 1 - t)) * n;
      out.set(x.subarray(src, src + n), dst);
    }
  }
  return out;
}

/** What one direction's forward leaves for backward. */
export interface DirectionRun {
  /** The backend's run (hSeq in the direction's own time order). */
  fwd: SequenceForward;
  /** The input as the backend read it ([B, T, I]; time-reversed for a reversed direction). */
  x: Float;
}

/** One direction of a recurrent layer. */
export class RecurrentLayer {
  readonly descriptor: CellDescriptor;

  /**
   * cfg, w: the cell's config and weights (views into the model's parameters); g: views of
   * their gradients; reverse: run from the last step to the first; key: a unique name for
   * this direction's scratch buffers.
   */
  constructor(readonly cfg: CellConfig, readonly w: CellWeights, readonly g: WeightGradViews,
    readonly reverse: boolean, readonly key: string) {
    this.descriptor = cellDescriptor(cfg.kind);
  }

  get hidden(): number {
    return this.cfg.hiddenSize;
  }

  /**
   * Runs over x [B, T, I] from s0 (null = zeros). Writes the outputs, in input time order,
   * into hOut [B, T, H] when given (else into scratch) and returns them with the run.
   */
  forward(backend: SequenceBackend, x: Float, B: number, T: number, s0: CellState | null, needTape: boolean,
    scratch: Scratch, hOut?: Float): { run: DirectionRun; hSeq: Float } {
    const H = this.hidden, I = this.cfg.inputSize;
    if (!this.reverse) {
      const out = hOut ?? scratch(`${this.key}.h`, B * T * H); // [B, T, H], reused batch to batch
      const fwd = backend.forward(this.cfg, this.w, x, B, T, { state: s0, needTape, hSeqOut: out });
      return { run: { fwd, x }, hSeq: fwd.hSeq };
    }
    // the input is kept reversed (backward reads it): a buffer of its own per direction
    const xr = reverseTime(scratch(`${this.key}.xr`, B * T * I), x, B, T, I); // [B, T, I] reversed
    const fwd = backend.forward(this.cfg, this.w, xr, B, T, { state: s0, needTape, hSeqOut: scratch(`${this.key}.hr`, B * T * H) });
    const hSeq = reverseTime(hOut ?? scratch(`${this.key}.h`, B * T * H), fwd.hSeq, B, T, H); // [B, T, H]
    return { run: { fwd, x: xr }, hSeq };
  }

  /**
   * Backpropagation through time of a run: dhSeq [B, T, H] in input time order (null = none),
   * dFinal the gradient of the final state. Stores the weight gradients into g and returns
   * dL/dx [B, T, I] in input time order (empty when needDx is false).
   */
  backward(backend: SequenceBackend, run: DirectionRun, B: number, T: number, dhSeq: Float | null,
    dFinal: Partial<CellState> | null, needDx: boolean, scratch: Scratch): Float {
    const H = this.hidden, I = this.cfg.inputSize;
    const dh = dhSeq !== null && this.reverse ? reverseTime(scratch(`${this.key}.dhr`, B * T * H), dhSeq, B, T, H) : dhSeq;
    const g = backend.backward(this.cfg, this.w, run.x, run.fwd, { dhSeq: dh, dFinal, needDx });
    this.keep(g);
    if (!needDx || !this.reverse) return g.dx;
    return reverseTime(scratch(`${this.key}.dx`, B * T * I), g.dx, B, T, I);
  }

  /** Stores a backward's weight gradients into the model's gradient buffer. */
  keep(g: CellGrads): void {
    this.g.wIh.set(g.dWIh);
    this.g.wHh.set(g.dWHh);
    this.g.b.set(g.db);
    if (this.g.theta !== null) this.g.theta.set(g.dTheta!);
  }
}

/** What a unit's forward leaves for backward. */
export interface UnitRun {
  dirs: DirectionRun[];
  /** The unit's outputs [B, T, W] (directions concatenated per step). */
  out: Float;
  /** Final state of each direction. */
  finals: CellState[];
}

/** A layer of a model: one direction, or a forward and a reversed one concatenated. */
export class LayerUnit {
  /** W: the width of the unit's outputs. */
  readonly width: number;

  /** dirs: one direction, or [forward, reversed] for a bidirectional layer. dropout: rate on the outputs. */
  constructor(readonly dirs: RecurrentLayer[], readonly dropout: number, readonly key: string) {
    this.width = dirs.reduce((n, d) => n + d.hidden, 0);
  }

  /** True when the unit is one forward-running direction (the fused paths apply). */
  get plain(): boolean {
    return this.dirs.length === 1 && !this.dirs[0].reverse;
  }

  /** Runs over x [B, T, I]; s0: one initial state per direction (null = zeros). */
  forward(backend: SequenceBackend, x: Float, B: number, T: number, s0: (CellState | null)[], needTape: boolean,
    scratch: Scratch): UnitRun {
    if (this.dirs.length === 1) {
      const { run, hSeq } = this.dirs[0].forward(backend, x, B, T, s0[0], needTape, scratch);
      return { dirs: [run], out: hSeq, finals: [run.fwd.final] };
    }
    const W = this.width;
    const out = scratch(`${this.key}.out`, B * T * W); // [B, T, W]
    const dirs: DirectionRun[] = [];
    let col = 0;
    this.dirs.forEach((d, k) => {
      const { run, hSeq } = d.forward(backend, x, B, T, s0[k], needTape, scratch);
      const H = d.hidden;
      for (let r = 0; r < B * T; r++) out.set(hSeq.subarray(r * H, (r + 1) * H), r * W + col);
      col += H;
      dirs.push(run);
    });
    return { dirs, out, finals: dirs.map((r) => r.fwd.final) };
  }

  /** The final h of every direction side by side: out [B, W]. */
  finalH(run: UnitRun, B: number, out: Float): Float {
    const W = this.width;
    let col = 0;
    this.dirs.forEach((d, k) => {
      const H = d.hidden, h = run.finals[k].h;
      for (let b = 0; b < B; b++) out.set(h.subarray(b * H, (b + 1) * H), b * W + col);
      col += H;
    });
    return out;
  }

  /**
   * Backward of forward. dOut [B, T, W]: gradient of the outputs (null = none); dFinalH
   * [B, W]: gradient of the final h of every direction (null = none). Returns dL/dx [B, T, I]
   * (empty when needDx is false); weight gradients go into each direction's views.
   */
  backward(backend: SequenceBackend, run: UnitRun, B: number, T: number, dOut: Float | null, dFinalH: Float | null,
    needDx: boolean, scratch: Scratch): Float {
    if (this.dirs.length === 1) {
      return this.dirs[0].backward(backend, run.dirs[0], B, T, dOut, dFinalH === null ? null : { h: dFinalH }, needDx, scratch);
    }
    const W = this.width;
    let col = 0;
    let dx: Float | null = null;
    this.dirs.forEach((d, k) => {
      const H = d.hidden;
      let dh: Float | null = null;
      if (dOut !== null) {
        dh = scratch(`${d.key}.dOut`, B * T * H); // [B, T, H]: this direction's columns
        for (let r = 0; r < B * T; r++) dh.set(dOut.subarray(r * W + col, r * W + col + H), r * H);
      }
      let dFinal: Partial<CellState> | null = null;
      if (dFinalH !== null) {
        const dhf = scratch(`${d.key}.dFinal`, B * H); // [B, H]
        for (let b = 0; b < B; b++) dhf.set(dFinalH.subarray(b * W + col, b * W + col + H), b * H);
        dFinal = { h: dhf };
      }
      const g = d.backward(backend, run.dirs[k], B, T, dh, dFinal, needDx, scratch);
      if (needDx) {
        if (dx === null) dx = Float64Array.from(g); // both directions read x: their dx add up
        else for (let i = 0; i < dx.length; i++) dx[i] += g[i];
      }
      col += H;
    });
    if (!needDx) return new Float64Array(0);
    const out = scratch(`${this.key}.dx`, dx!.length);
    out.set(dx!);
    return out;
  }
}
