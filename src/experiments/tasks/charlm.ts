// Character language modelling: TBPTT over B parallel streams with the state carried from one
// chunk to the next; bits per character on the held-out end of the text.
import { tbpttChunk, tbpttPlan } from '../../data/char-text.js';
import { loadCharCorpus } from '../../node/datasets.js';
import type { ModelState } from '../../model/index.js';
import { checkPositiveInt } from '../../cells/bounds.js';
import type { CoreOptions } from '../core-options.js';
import { layerSpecs } from '../layer-specs.js';
import { dataOption } from '../task-options.js';
import type { PreparedTask, TaskDefinition } from '../task.js';

/** The character language model's own options. */
export interface CharlmOptions {
  /** A text file. */
  data: string;
  /** TBPTT chunk length. */
  bptt: number;
  /** Fraction of the text (its end) held out for evaluation, in (0, 1). */
  heldOut: number;
}

/** Streams used for evaluation: fewer streams keep more context per stream. */
const EVAL_STREAMS = 8;

export function prepareCharlm(o: CoreOptions & CharlmOptions): PreparedTask {
  const corpus = loadCharCorpus(o.data, o.heldOut);
  const V = corpus.vocab.chars.length;
  const plan = tbpttPlan(corpus.train.length, o.batch, o.bptt);
  const evalPlan = tbpttPlan(corpus.heldOut.length, Math.min(EVAL_STREAMS, Math.max(1, Math.floor((corpus.heldOut.length - 1) / 2))), o.bptt);
  return {
    name: 'charlm',
    modelConfig: {
      input: { kind: 'onehot', size: V },
      layers: layerSpecs(o),
      head: { size: V, steps: 'all' },
      loss: 'xent',
      seed: o.seed,
    },
    batchesPerEpoch: plan.chunks,
    trainBatch(_epoch, step) {
      const c = tbpttChunk(corpus.train, plan, step);
      return { B: plan.B, T: c.T, x: c.x, y: c.y };
    },
    carryState: true,
    evaluate(model) {
      let nats = 0, count = 0;
      let state: ModelState | null = null;
      for (let k = 0; k < evalPlan.chunks; k++) {
        const c = tbpttChunk(corpus.heldOut, evalPlan, k);
        const r = model.evaluate({ B: evalPlan.B, T: c.T, x: c.x, y: c.y }, { state });
        state = r.state;
        nats += r.loss * evalPlan.B * c.T;
        count += evalPlan.B * c.T;
      }
      const loss = nats / count;
      return { loss, bpc: loss / Math.LN2 };
    },
    primary: { name: 'bpc', higherIsBetter: false },
    reference: { uniform_bpc: Math.log2(V) },
    describe: `charlm: ${corpus.train.length} training / ${corpus.heldOut.length} held-out characters, ` +
      `vocabulary ${V}, ${o.batch} streams x ${plan.chunks} chunks of ${o.bptt}`,
  };
}

export const charlmTask: TaskDefinition<CharlmOptions> = {
  options: [
    dataOption('a text file'),
    { key: 'bptt', arg: 'n', type: 'int', default: 100, check: checkPositiveInt, eval: true, help: 'TBPTT chunk length' },
    {
      key: 'heldOut', arg: 'f', type: 'number', default: 0.05, eval: true, help: 'fraction of the text held out at its end',
      check: (v) => (v as number) > 0 && (v as number) < 1 ? null : 'must be in (0, 1)',
    },
  ],
  defaults: { hidden: 256, optimizer: 'adam', lr: 2e-3, batch: 32, clip: 5, epochs: 10 },
  // the vocabulary comes with the text
  sizes: (o) => ({ steps: o.bptt, stepsFrom: 'bptt', inputWidth: null }),
  prepare: prepareCharlm,
};
