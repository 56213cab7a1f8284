// Sequential MNIST (784 pixel steps) and permuted sequential MNIST (one fixed permutation of
// the pixels drawn from the seed): the class is read after the last pixel.
import { deriveSeed, Rng, permutation } from '../../cells/rng.js';
import { MNIST_CLASSES, mnistBatch, pixelPermutation, type MnistSplit } from '../../data/mnist.js';
import { loadMnistSplit } from '../../node/datasets.js';
import { ConfigError } from '../../errors.js';
import type { CoreOptions } from '../core-options.js';
import { layerSpecs } from '../layer-specs.js';
import { dataOption, testSamplesOption, trainSamplesOption } from '../task-options.js';
import { EpochOrder, argmaxRow, batchIndices, evaluateInBatches, type PreparedTask, type TaskDefinition } from '../task.js';

/** The options of sequential MNIST (and its permuted form). */
export interface MnistOptions {
  /** Folder with the four MNIST IDX files. */
  data: string;
  /** Training images (null: all). */
  trainSamples: number | null;
  /** Test images (null: all). */
  testSamples: number | null;
}

/** A seeded random subset of n samples (sorted), or all of them. */
export function subsetIndices(N: number, n: number | null, seed: number): Int32Array {
  if (n === null || n >= N) return Int32Array.from({ length: N }, (_, i) => i);
  return permutation(N, new Rng(seed)).slice(0, n).sort();
}

export function prepareMnist(o: CoreOptions & MnistOptions & { task: string }): PreparedTask {
  const permuted = o.task === 'psmnist';
  const trainSplit = loadMnistSplit(o.data, 'train');
  const testSplit = loadMnistSplit(o.data, 'test');
  if (trainSplit.P !== testSplit.P) throw new ConfigError(`training images have ${trainSplit.P} pixels but test images ${testSplit.P}`);
  const P = trainSplit.P;
  const trainIdx = subsetIndices(trainSplit.N, o.trainSamples, deriveSeed(o.seed, 301));
  const testIdx = subsetIndices(testSplit.N, o.testSamples, deriveSeed(o.seed, 302));
  const perm = permuted ? pixelPermutation(P, deriveSeed(o.seed, 303)) : null;
  const order = new EpochOrder(trainIdx.length, o.seed);
  const pick = (split: MnistSplit, idx: Int32Array, sel: Int32Array) => {
    const rows = new Int32Array(sel.length);
    for (let i = 0; i < sel.length; i++) rows[i] = idx[sel[i]];
    const { x, y } = mnistBatch(split, rows, perm);
    return { B: sel.length, T: P, x, y };
  };
  return {
    name: o.task,
    modelConfig: {
      input: { kind: 'dense', size: 1 },
      layers: layerSpecs(o),
      head: { size: MNIST_CLASSES, steps: 'last' },
      loss: 'xent',
      seed: o.seed,
    },
    batchesPerEpoch: Math.ceil(trainIdx.length / o.batch),
    trainBatch: (epoch, step) => pick(trainSplit, trainIdx, batchIndices(order.get(epoch), o.batch, step)),
    carryState: false,
    evaluate(model) {
      let right = 0;
      const { loss } = evaluateInBatches(model, testIdx.length, o.evalBatch, (sel) => pick(testSplit, testIdx, sel), (out, sel, batch) => {
        const y = batch.y as Int32Array;
        for (let b = 0; b < sel.length; b++) if (argmaxRow(out, b, MNIST_CLASSES) === y[b]) right++;
      });
      return { loss, acc: right / testIdx.length };
    },
    primary: { name: 'acc', higherIsBetter: true },
    reference: { chance_acc: 1 / MNIST_CLASSES },
    describe: `${permuted ? 'permuted ' : ''}sequential MNIST (${P} steps): ${trainIdx.length} training / ${testIdx.length} test images`,
  };
}

/** Both MNIST tasks: the task name (smnist or psmnist) says whether the pixels are permuted. */
function mnistTask(): TaskDefinition<MnistOptions> {
  return {
    options: [dataOption('a folder with the MNIST IDX files (gz or raw)'), trainSamplesOption(null), testSamplesOption(null)],
    defaults: { batch: 100, epochs: 20 },
    // the pixels per image come with the data
    sizes: () => ({ steps: null, inputWidth: 1 }),
    prepare: prepareMnist,
  };
}

/** Sequential MNIST: 784 pixel steps in reading order. */
export const smnistTask = mnistTask();
/** Permuted sequential MNIST: one fixed pixel permutation drawn from the seed. */
export const psmnistTask = mnistTask();
