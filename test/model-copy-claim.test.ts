// The library's claim, in one short run: on the copy task at a delay where the LSTM stays at
// chance, the pLSTM has already left it. Both cells get the same data, the same seed, the
// same optimiser and the same number of steps (the setting of EXPERIMENTS.md's copy runs,
// with 32 units and 800 steps so that both run in about 10 s of CPU time on the wasm kernels).
//
// Measured with seeds 1 to 5 (per-symbol accuracy on 200 held-out sequences; chance 12.5%):
//   pLSTM 35.0%, 27.9%, 31.9%, 32.4%, 29.4%
//   LSTM  12.4%, 12.8%, 16.4%, 17.4%, 13.7%   (forget bias +1)
// The smallest gap was 15.0 points; the test asks for 8.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceModel } from '../src/model/sequence-model.js';
import { createOptimizer } from '../src/model/optimizers.js';
import type { Batch } from '../src/model/batch.js';
import type { LayerSpec } from '../src/model/config.js';
import { Rng, deriveSeed } from '../src/cells/rng.js';
import { COPY_VOCAB, copyAccuracy, makeCopyTask, type CopyTaskData } from '../src/data/copy-task.js';
import { WASM_AVAILABLE } from './support/backends.js';

const DELAY = 100; // sequences of 119 steps
const HIDDEN = 32;
const BATCH = 32;
const STEPS = 800;
const SEED = 1;

function rows(d: CopyTaskData, n0: number, n: number): Batch {
  return { B: n, T: d.L, x: d.x.subarray(n0 * d.L, (n0 + n) * d.L), y: d.y.subarray(n0 * d.L, (n0 + n) * d.L) };
}

/** Per-symbol accuracy on held-out sequences after STEPS training steps of one cell. */
function trainedAccuracy(layer: LayerSpec): number {
  const model = SequenceModel.create({
    input: { kind: 'onehot', size: COPY_VOCAB }, layers: [layer], head: { size: COPY_VOCAB, steps: 'all' }, loss: 'xent', seed: SEED,
  }, { backend: 'wasm', threads: 1 });
  try {
    const opt = createOptimizer({ kind: 'rmsprop', lr: 0.02, alpha: 0.9 });
    const train = makeCopyTask(STEPS * BATCH, DELAY, new Rng(deriveSeed(SEED, 1)));
    const held = makeCopyTask(200, DELAY, new Rng(deriveSeed(SEED, 2)));
    for (let s = 0; s < STEPS; s++) model.trainStep(rows(train, s * BATCH, BATCH), opt, { clip: 1 });
    const out = model.evaluate(rows(held, 0, held.N)).outputs; // [N, L, V]
    const pred = new Int32Array(held.N * held.L);
    for (let i = 0; i < pred.length; i++) {
      let best = 0;
      for (let v = 1; v < COPY_VOCAB; v++) if (out[i * COPY_VOCAB + v] > out[i * COPY_VOCAB + best]) best = v;
      pred[i] = best;
    }
    return copyAccuracy(pred, held.y, held.N, held.L).symbolAcc;
  } finally {
    model.dispose();
  }
}

test(`copy task at delay ${DELAY}: after ${STEPS} steps the pLSTM is clearly ahead of the LSTM, which stays near chance`,
  { skip: !WASM_AVAILABLE && 'needs the wasm kernels (WebAssembly SIMD) to train in seconds' }, () => {
    const plstm = trainedAccuracy({ cell: 'plstm', hidden: HIDDEN, pInit: { mode: 'range', lo: -4, hi: 4 } });
    const lstm = trainedAccuracy({ cell: 'lstm', hidden: HIDDEN, forgetBias: 1 });
    const shown = `pLSTM ${(100 * plstm).toFixed(1)}%, LSTM ${(100 * lstm).toFixed(1)}% per symbol (chance 12.5%)`;
    assert.ok(lstm < 0.22, `the LSTM should still be near chance at this delay: ${shown}`);
    assert.ok(plstm >= 0.22, `the pLSTM should have left chance: ${shown}`);
    assert.ok(plstm - lstm >= 0.08, `the pLSTM should be at least 8 points ahead: ${shown}`);
    process.stdout.write(`# ${shown}\n`);
  });
