// The adding problem: MSE of the sum read at the last step, against the always-predict-1
// baseline (MSE 1/6 ~ 0.167).
import { Rng, deriveSeed } from '../../cells/rng.js';
import { ADDING_BASELINE_MSE, makeAddingTask, type AddingTaskData } from '../../data/adding-task.js';
import type { Batch } from '../../model/index.js';
import type { CoreOptions } from '../core-options.js';
import { layerSpecs } from '../layer-specs.js';
import { checkBatchFitsTrainingSet, testSamplesOption, trainSamplesOption } from '../task-options.js';
import { EpochOrder, batchIndices, evaluateInBatches, type PreparedTask, type TaskDefinition } from '../task.js';

/** The adding problem's own options. */
export interface AddingOptions {
  /** Sequence length T (>= 2: one marker in each half). */
  delay: number;
  /** Training sequences (null: 10,000). */
  trainSamples: number | null;
  /** Test sequences (null: 1,000). */
  testSamples: number | null;
}

function gather(d: AddingTaskData, idx: Int32Array): Batch {
  const B = idx.length, T = d.T;
  const x = new Float32Array(B * T * 2); // [B, T, 2]
  const y = new Float32Array(B); // [B, 1]
  for (let b = 0; b < B; b++) {
    x.set(d.x.subarray(idx[b] * T * 2, (idx[b] + 1) * T * 2), b * T * 2);
    y[b] = d.y[idx[b]];
  }
  return { B, T, x, y };
}

export function prepareAdding(o: CoreOptions & AddingOptions): PreparedTask {
  const nTrain = o.trainSamples ?? 10000;
  const nTest = o.testSamples ?? 1000;
  const train = makeAddingTask(nTrain, o.delay, new Rng(deriveSeed(o.seed, 201)));
  const test = makeAddingTask(nTest, o.delay, new Rng(deriveSeed(o.seed, 202)));
  const order = new EpochOrder(nTrain, o.seed);
  return {
    name: 'adding',
    modelConfig: {
      input: { kind: 'dense', size: 2 },
      layers: layerSpecs(o),
      head: { size: 1, steps: 'last' },
      loss: 'mse',
      seed: o.seed,
    },
    batchesPerEpoch: Math.ceil(nTrain / o.batch),
    trainBatch: (epoch, step) => gather(train, batchIndices(order.get(epoch), o.batch, step)),
    carryState: false,
    evaluate(model) {
      // the reported mse is computed here from the outputs, independent of the model's loss
      let sse = 0;
      const { loss } = evaluateInBatches(model, nTest, o.evalBatch, (idx) => gather(test, idx), (out, idx, batch) => {
        const y = batch.y as Float32Array;
        for (let b = 0; b < idx.length; b++) sse += (out[b] - y[b]) ** 2;
      });
      return { loss, mse: sse / nTest };
    },
    primary: { name: 'mse', higherIsBetter: false },
    reference: { baseline_mse: ADDING_BASELINE_MSE },
    describe: `adding T=${o.delay}: ${nTrain} training / ${nTest} test sequences`,
  };
}

export const addingTask: TaskDefinition<AddingOptions> = {
  options: [
    {
      key: 'delay', arg: 'T', type: 'int', default: 200, eval: true, help: 'sequence length T',
      check: (v) => (v as number) >= 2 ? null : '(T) must be an integer >= 2 for the adding problem',
    },
    trainSamplesOption(10000),
    testSamplesOption(1000),
  ],
  defaults: { optimizer: 'adam', epochs: 50 },
  check: checkBatchFitsTrainingSet,
  sizes(o) {
    const n = o.trainSamples ?? 10000, nTest = o.testSamples ?? 1000;
    // x float32 [N, T, 2], y float32 [N]
    return {
      steps: o.delay, stepsFrom: 'delay', inputWidth: 2,
      data: { bytes: (n + nTest) * (o.delay * 8 + 4), largestBytes: Math.max(n, nTest) * o.delay * 8, from: ['trainSamples', 'testSamples', 'delay'] },
    };
  },
  prepare: prepareAdding,
};
