// The copy task (Chien et al. 2021 setup): cross-entropy over every step, accuracy over the
// 10 copied symbols; solved when both the per-symbol and whole-sequence accuracy reach 99.9%.
import { Rng, deriveSeed } from '../../cells/rng.js';
import { COPY_LENGTH, COPY_SYMBOLS, COPY_VOCAB, copyAccuracy, copySequenceLength, makeCopyTask, type CopyTaskData } from '../../data/copy-task.js';
import type { Batch } from '../../model/index.js';
import { checkPositiveInt } from '../../cells/bounds.js';
import type { CoreOptions } from '../core-options.js';
import { layerSpecs } from '../layer-specs.js';
import { checkBatchFitsTrainingSet, testSamplesOption, trainSamplesOption } from '../task-options.js';
import { EpochOrder, argmaxRow, batchIndices, evaluateInBatches, type PreparedTask, type TaskDefinition } from '../task.js';

/** The copy task's own options. */
export interface CopyOptions {
  /** Delay T: the sequence is T + 19 steps long. */
  delay: number;
  /** Training sequences (null: 10,000). */
  trainSamples: number | null;
  /** Test sequences (null: 1,000). */
  testSamples: number | null;
}

/** The solved threshold of the authors' experiment. */
export const COPY_SOLVED = 0.999;

function gather(d: CopyTaskData, idx: Int32Array): Batch {
  const B = idx.length, L = d.L;
  const x = new Int32Array(B * L); // [B, L]
  const y = new Int32Array(B * L); // [B, L]
  for (let b = 0; b < B; b++) {
    x.set(d.x.subarray(idx[b] * L, (idx[b] + 1) * L), b * L);
    y.set(d.y.subarray(idx[b] * L, (idx[b] + 1) * L), b * L);
  }
  return { B, T: L, x, y };
}

export function prepareCopy(o: CoreOptions & CopyOptions): PreparedTask {
  const nTrain = o.trainSamples ?? 10000;
  const nTest = o.testSamples ?? 1000;
  const train = makeCopyTask(nTrain, o.delay, new Rng(deriveSeed(o.seed, 101)));
  const test = makeCopyTask(nTest, o.delay, new Rng(deriveSeed(o.seed, 102)));
  const order = new EpochOrder(nTrain, o.seed);
  return {
    name: 'copy',
    modelConfig: {
      input: { kind: 'onehot', size: COPY_VOCAB },
      layers: layerSpecs(o),
      head: { size: COPY_VOCAB, steps: 'all' },
      loss: 'xent',
      seed: o.seed,
    },
    batchesPerEpoch: Math.ceil(nTrain / o.batch),
    trainBatch: (epoch, step) => gather(train, batchIndices(order.get(epoch), o.batch, step)),
    carryState: false,
    evaluate(model) {
      const L = test.L;
      const pred = new Int32Array(nTest * L); // [N, L]
      const { loss } = evaluateInBatches(model, nTest, o.evalBatch, (idx) => gather(test, idx), (out, idx) => {
        for (let b = 0; b < idx.length; b++) {
          // only the last 10 steps are scored; the rest of pred stays 0
          for (let t = L - COPY_LENGTH; t < L; t++) pred[idx[b] * L + t] = argmaxRow(out, b * L + t, COPY_VOCAB);
        }
      });
      const acc = copyAccuracy(pred, test.y, nTest, L);
      return { loss, acc: acc.symbolAcc, seq_acc: acc.sequenceAcc };
    },
    primary: { name: 'acc', higherIsBetter: true },
    solved: (m) => m.acc >= COPY_SOLVED && m.seq_acc >= COPY_SOLVED,
    // guessing the symbols: 1/8 per symbol. The loss of a model that predicts blanks right
    // and guesses the symbols uniformly is 10 ln 8 / (T + 19) per step.
    reference: { chance_acc: 1 / COPY_SYMBOLS, chance_loss: (COPY_LENGTH * Math.log(COPY_SYMBOLS)) / train.L },
    describe: `copy T=${o.delay} (sequence length ${train.L}): ${nTrain} training / ${nTest} test sequences`,
  };
}

/**
 * The copy task with the defaults of Chien et al. 2021: 128 units, RMSprop lr 1e-3 alpha 0.9,
 * batch 128, clip 1.0, 10,000 training and 1,000 test sequences, T = 200 (the core defaults).
 */
export const copyTask: TaskDefinition<CopyOptions> = {
  options: [
    { key: 'delay', arg: 'T', type: 'int', default: 200, check: checkPositiveInt, eval: true, help: 'delay T (sequence length T+19)' },
    trainSamplesOption(10000),
    testSamplesOption(1000),
  ],
  defaults: {},
  check: checkBatchFitsTrainingSet,
  sizes(o) {
    const L = copySequenceLength(o.delay), n = o.trainSamples ?? 10000, nTest = o.testSamples ?? 1000;
    // x and y, int32 [N, L] each
    return {
      steps: L, stepsFrom: 'delay', inputWidth: COPY_VOCAB,
      data: { bytes: (n + nTest) * L * 8, largestBytes: Math.max(n, nTest) * L * 4, from: ['trainSamples', 'testSamples', 'delay'] },
    };
  },
  prepare: prepareCopy,
};
