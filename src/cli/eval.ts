// `plstm eval --checkpoint FILE [--task TASK] [data flags]`: evaluates a saved model on a
// task's test data. A checkpoint of `plstm train` remembers its task and data settings; flags
// given here override them (e.g. another --data folder or more --test-samples).
import { totalmem } from 'node:os';
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { loadModel } from '../node/save-load.js';
import { TASKS, type TrainOptions } from '../experiments/registry.js';
import { resolveOptions } from '../experiments/options.js';
import { pStats } from '../experiments/trainer.js';
import { checkRunFits } from '../experiments/memory-estimate.js';
import { addDataOptions, givenOptions } from './train-options.js';
import { fmt } from './progress.js';
import { runtimeOf } from './train.js';
import { UsageError } from './usage-error.js';

/** Model settings that must come from the checkpoint, not from flags. */
const FROM_MODEL: (keyof TrainOptions)[] = ['cell', 'hidden', 'layers'];

export function registerEval(program: Command): void {
  addDataOptions(program.command('eval')
    .description('evaluate a saved model (a checkpoint of plstm train) on a task\'s test data')
    .option('--checkpoint <file>', 'model file: best.safetensors or last.safetensors of a run, or any saved model')
    .option('--task <name>', 'copy | adding | smnist | psmnist | charlm | sentiment (default: the checkpoint\'s)')
    .option('--json', 'print the metrics as one JSON line'))
    .action((f: Record<string, unknown>) => {
      const file = f.checkpoint as string | undefined;
      if (!file) throw new UsageError('--checkpoint is required: a model file saved by plstm train');
      const given = givenOptions(f);
      // the runtime is chosen before loading; everything else may come from the checkpoint
      const { model, meta } = loadModel(file, runtimeOf({ backend: given.backend ?? 'auto', threads: given.threads ?? null } as TrainOptions));
      try {
        const saved = (meta as { options?: TrainOptions }).options;
        const task = (f.task as string | undefined) ?? saved?.task;
        if (!task) throw new UsageError(`${file} does not say which task it was trained on: give --task`);
        let base: Partial<TrainOptions> = {};
        if (saved && saved.task === task) base = saved;
        const lc = model.config.layers[0];
        const fromModel: Partial<TrainOptions> = { cell: lc.cell as TrainOptions['cell'], hidden: lc.hidden, layers: model.config.layers.length };
        for (const k of FROM_MODEL) delete (given as Record<string, unknown>)[k];
        const o = resolveOptions(task, { ...base, ...fromModel, ...given });
        checkRunFits(o, totalmem());
        const prepared = TASKS[o.task](o);
        const want = prepared.modelConfig;
        const have = model.config;
        if (JSON.stringify(want.input) !== JSON.stringify(have.input) || JSON.stringify(want.head) !== JSON.stringify(have.head) || want.loss !== have.loss) {
          throw new ConfigError(`${file} does not fit task ${o.task}: the model reads ${JSON.stringify(have.input)} and outputs ` +
            `${JSON.stringify(have.head)} (${have.loss}), the task needs ${JSON.stringify(want.input)} -> ${JSON.stringify(want.head)} (${want.loss})`);
        }
        const t0 = Date.now();
        const m = prepared.evaluate(model);
        const seconds = (Date.now() - t0) / 1000;
        const result: Record<string, unknown> = { task: o.task, checkpoint: file, ...Object.fromEntries(Object.entries(m).map(([k, v]) => [`test_${k}`, v])), ...prepared.reference, seconds };
        if (o.cell === 'plstm') result.p = pStats(model);
        if (f.json) {
          process.stdout.write(JSON.stringify(result) + '\n');
        } else {
          process.stdout.write(`${prepared.describe}\n`);
          process.stdout.write(Object.entries(m).map(([k, v]) => `test_${k} ${fmt(k, v)}`).join('  ') +
            '  (' + Object.entries(prepared.reference).map(([k, v]) => `${k} ${fmt(k, v)}`).join(', ') + `)  ${seconds.toFixed(1)} s\n`);
        }
      } finally {
        model.dispose();
      }
    });
}
