// Subnormal floats in the backward pass: forward and backward time of the wasm backend on
// adding-problem-like data (dense input: a uniform value plus a sparse 0/1 marker; loss on
// the last step only), with the LSTM forget bias at 0 (the carried gradient dc * f decays
// fast and underflows) and at +1 (it decays slowly), and the pLSTM alongside. Prints the
// number of subnormal values in the returned gradients (dx, dW, d0).
//
//   node --import tsx bench/workbench/subnormal.ts [--quick] [--baseline <checkout>]
//
// --baseline: another checkout of this repository (built with `npm run build`); its wasm
// backend is timed in the same process, interleaved with this one (before/after).
// Times are the minimum over repetitions, 1 thread.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import {
  initLstmWeights, initPlstmWeights, lstmConfig, plstmConfig, Rng,
  type CellConfig, type CellGrads, type CellWeights, type SequenceBackend,
} from '../../src/cells/index.js';

const quick = process.argv.includes('--quick');
const baselineAt = process.argv.indexOf('--baseline');
const baselineDir = baselineAt > 0 ? process.argv[baselineAt + 1] : null;
const reps = quick ? 2 : 4;
const B = 32, H = 64, I = 2;

/** Smallest positive normal float32: below it (and above 0) a float32 is subnormal. */
const FLT_MIN = 1.1754943508222875e-38;
function subnormals(a: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v !== 0 && v < FLT_MIN) n++;
  }
  return n;
}
function gradSubnormals(g: CellGrads): number {
  return subnormals(g.dx) + subnormals(g.dWIh) + subnormals(g.dWHh) + subnormals(g.db)
    + subnormals(g.d0.h) + subnormals(g.d0.c) + (g.dTheta ? subnormals(g.dTheta) : 0);
}

/** Adding problem: x[b, t] = (U(0, 1), marker), markers at two steps; [B, T, I]. */
function addingInput(T: number, rng: Rng): Float32Array {
  const x = new Float32Array(B * T * I);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[(b * T + t) * I] = rng.uniform();
    const m1 = Math.floor(rng.uniform() * (T >> 1)), m2 = (T >> 1) + Math.floor(rng.uniform() * (T >> 1));
    x[(b * T + m1) * I + 1] = 1;
    x[(b * T + m2) * I + 1] = 1;
  }
  return x;
}

/** dL/dh_t: zero except at the last step (a linear read-out of h_T). */
function lastStepGrad(T: number, rng: Rng): Float32Array {
  const d = new Float32Array(B * T * H); // [B, T, H]
  for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) d[(b * T + T - 1) * H + j] = rng.range(-0.1, 0.1);
  return d;
}

function to32(w: CellWeights): CellWeights {
  return {
    wIh: Float32Array.from(w.wIh), wHh: Float32Array.from(w.wHh), b: Float32Array.from(w.b),
    theta: w.theta ? Float32Array.from(w.theta) : null,
  };
}

interface Case { label: string; cfg: CellConfig; w: CellWeights; T: number; x: Float32Array; dhSeq: Float32Array }
function cases(): Case[] {
  const out: Case[] = [];
  for (const T of quick ? [200] : [200, 750]) {
    const rng = new Rng(1000 + T);
    const x = addingInput(T, rng), dhSeq = lastStepGrad(T, rng);
    const lc = lstmConfig(I, H), pc = plstmConfig(I, H);
    for (const fb of [1, 0]) {
      out.push({ label: `lstm forget bias ${fb}`, cfg: lc, w: to32(initLstmWeights(lc, new Rng(7), { forgetBias: fb })), T, x, dhSeq });
    }
    out.push({ label: 'plstm', cfg: pc, w: to32(initPlstmWeights(pc, new Rng(7))), T, x, dhSeq });
    // frequent resets (reset-gate bias +4): ages stay near 0, f = ((a + eps)/(a + 1))^p is
    // small, so dc f and da (1 - r) decay fast
    const wr = to32(initPlstmWeights(pc, new Rng(7)));
    for (let j = 0; j < H; j++) wr.b[j] += 4;
    out.push({ label: 'plstm reset bias 4', cfg: pc, w: wr, T, x, dhSeq });
  }
  return out;
}

async function main(): Promise<void> {
  const backends: Array<{ name: string; be: SequenceBackend }> = [];
  if (baselineDir) {
    const url = pathToFileURL(resolve(baselineDir, 'src/kernels/wasm-backend.ts')).href;
    const mod = await import(url) as { createWasmBackend: typeof createWasmBackend };
    backends.push({ name: 'baseline', be: mod.createWasmBackend({ threads: 1 }) });
  }
  backends.push({ name: baselineDir ? 'this tree' : 'wasm', be: createWasmBackend({ threads: 1 }) });
  console.log(`B=${B} H=${H} I=${I}, 1 thread, min of ${reps}; load average ${loadavg()[0].toFixed(2)}`);
  for (const c of cases()) {
    const best = backends.map(() => ({ fwd: Infinity, bwd: Infinity, sub: 0 }));
    for (let r = 0; r <= reps; r++) {
      backends.forEach(({ be }, k) => {
        const t0 = performance.now();
        const f = be.forward(c.cfg, c.w, c.x, B, c.T, null, true);
        const t1 = performance.now();
        const g = be.backward(c.cfg, c.w, c.x, f, c.dhSeq, null);
        const t2 = performance.now();
        if (r === 0) { best[k].sub = gradSubnormals(g); return; } // warm-up
        best[k].fwd = Math.min(best[k].fwd, t1 - t0);
        best[k].bwd = Math.min(best[k].bwd, t2 - t1);
      });
    }
    backends.forEach(({ name }, k) => {
      const b = best[k];
      console.log(`T=${String(c.T).padEnd(4)} ${c.label.padEnd(20)} ${name.padEnd(9)} forward ${b.fwd.toFixed(1).padStart(7)} ms  backward ${b.bwd.toFixed(1).padStart(7)} ms  subnormal grads ${b.sub}`);
    });
    if (backends.length === 2) {
      console.log(`${''.padEnd(36)} backward baseline / this tree: ${(best[0].bwd / best[1].bwd).toFixed(2)}x`);
    }
  }
  for (const { be } of backends) be.dispose?.();
}

await main();
