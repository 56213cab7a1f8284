// Review sentiment: word embeddings in, the class read after the last word (reviews are
// left-padded), accuracy on the test reviews.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed } from '../../cells/rng.js';
import { buildWordVocab, encodeReviews, type EncodedReviews } from '../../data/sentiment.js';
import { loadReviews } from '../../node/datasets.js';
import { DataError } from '../../errors.js';
import { checkPositiveInt } from '../../cells/bounds.js';
import type { CoreOptions } from '../core-options.js';
import { layerSpecs } from '../layer-specs.js';
import { dataOption, testSamplesOption, trainSamplesOption } from '../task-options.js';
import { EpochOrder, argmaxRow, batchIndices, evaluateInBatches, type PreparedTask, type TaskDefinition } from '../task.js';

/** The review sentiment task's own options. */
export interface SentimentOptions {
  /** Folder with train.jsonl(.gz) and test.jsonl(.gz). */
  data: string;
  /** Training reviews (null: all). */
  trainSamples: number | null;
  /** Test reviews (null: all). */
  testSamples: number | null;
  /** Vocabulary size: the most frequent training words. */
  vocab: number;
  /** Words per review (longer ones keep their last words, shorter ones are left-padded). */
  maxLen: number;
  /** Embedding size. */
  embed: number;
}
import { subsetIndices } from './mnist.js';

function findSplit(dir: string, split: string): string {
  if (!existsSync(dir)) throw new DataError(`data folder not found: ${dir}`);
  for (const f of [`${split}.jsonl.gz`, `${split}.jsonl`]) if (existsSync(join(dir, f))) return join(dir, f);
  throw new DataError(`no ${split}.jsonl(.gz) in ${dir}; --data must be a folder with train.jsonl(.gz) and test.jsonl(.gz)`);
}

export function prepareSentiment(o: CoreOptions & SentimentOptions): PreparedTask {
  const trainAll = loadReviews(findSplit(o.data, 'train'));
  const testAll = loadReviews(findSplit(o.data, 'test'));
  // a seeded subset: the files are sorted by label, so taking the first n would be one class
  const trainRev = Array.from(subsetIndices(trainAll.length, o.trainSamples, deriveSeed(o.seed, 401)), (i) => trainAll[i]);
  const testRev = Array.from(subsetIndices(testAll.length, o.testSamples, deriveSeed(o.seed, 402)), (i) => testAll[i]);
  const vocab = buildWordVocab(trainRev, o.vocab);
  const train = encodeReviews(trainRev, vocab, o.maxLen);
  const test = encodeReviews(testRev, vocab, o.maxLen);
  const order = new EpochOrder(train.N, o.seed);
  const gather = (d: EncodedReviews, idx: Int32Array) => {
    const B = idx.length, T = d.T;
    const x = new Int32Array(B * T); // [B, T]
    const y = new Int32Array(B); // [B]
    for (let b = 0; b < B; b++) {
      x.set(d.x.subarray(idx[b] * T, (idx[b] + 1) * T), b * T);
      y[b] = d.y[idx[b]];
    }
    return { B, T, x, y };
  };
  let positives = 0;
  for (let i = 0; i < test.N; i++) positives += test.y[i];
  return {
    name: 'sentiment',
    modelConfig: {
      input: { kind: 'embedding', vocab: vocab.words.length, dim: o.embed },
      layers: layerSpecs(o),
      head: { size: 2, steps: 'last' },
      loss: 'xent',
      seed: o.seed,
    },
    batchesPerEpoch: Math.ceil(train.N / o.batch),
    trainBatch: (epoch, step) => gather(train, batchIndices(order.get(epoch), o.batch, step)),
    carryState: false,
    evaluate(model) {
      let right = 0;
      const { loss } = evaluateInBatches(model, test.N, o.evalBatch, (idx) => gather(test, idx), (out, idx, batch) => {
        const y = batch.y as Int32Array;
        for (let b = 0; b < idx.length; b++) if (argmaxRow(out, b, 2) === y[b]) right++;
      });
      return { loss, acc: right / test.N };
    },
    primary: { name: 'acc', higherIsBetter: true },
    reference: { majority_acc: Math.max(positives, test.N - positives) / test.N },
    describe: `sentiment: ${train.N} training / ${test.N} test reviews, vocabulary ${vocab.words.length}, ${o.maxLen} words each`,
  };
}

export const sentimentTask: TaskDefinition<SentimentOptions> = {
  options: [
    dataOption('a folder with train.jsonl(.gz) and test.jsonl(.gz)'),
    trainSamplesOption(null),
    testSamplesOption(null),
    { key: 'vocab', arg: 'n', type: 'int', default: 10000, check: checkPositiveInt, eval: true, help: 'vocabulary size, most frequent training words' },
    {
      key: 'maxLen', arg: 'n', type: 'int', default: 400, check: checkPositiveInt, eval: true,
      help: 'words per review; longer keep their last words, shorter are left-padded',
    },
    { key: 'embed', arg: 'n', type: 'int', default: 64, check: checkPositiveInt, help: 'embedding size' },
  ],
  defaults: { optimizer: 'adam', batch: 64, epochs: 5 },
  sizes: (o) => ({ steps: o.maxLen, stepsFrom: 'maxLen', inputWidth: o.embed }),
  prepare: prepareSentiment,
};
