// `plstm analyze CHECKPOINT --out DIR`: every analysis picture of one model as SVG and PNG,
// and the numbers behind them as analysis.json. Works on checkpoints of plstm train (the task
// rebuilt from the saved options) and model files of plstm forecast fit (the series' windows).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFilesAtomic } from '../node/write-atomic.js';
import { describeFit } from '../analysis/report-plots.js';
import { analyzeCheckpoint, plotFiles } from './analysis-files.js';
import { UsageError } from './usage-error.js';

export function registerAnalyze(program: Command): void {
  program.command('analyze')
    .description('analyse a trained model: decay curves, measured decay with power-law and exponential fits, timescales, p, gate traces, ablation; writes SVG, PNG and analysis.json to --out')
    .argument('<checkpoint>', 'a checkpoint of plstm train (best.safetensors or last.safetensors) or a model file of plstm forecast fit')
    .option('--out <dir>', 'folder for the plots and analysis.json (required)')
    .option('--samples <n>', 'sequences (or forecast windows) to trace', '32')
    .option('--task <name>', 'refuse a checkpoint of any other task')
    .option('--data <file>', 'forecasters: the CSV of the series, when the file named in the model is not there')
    .option('--no-ablation', 'skip silencing units (the slowest part on large test sets)')
    .option('--force', 'replace the files of an earlier analysis in --out')
    .option('--json', 'print the summary as one JSON line')
    .action(async (checkpoint: string, f: Record<string, unknown>) => {
      const out = f.out as string | undefined;
      if (!out) throw new UsageError('--out is required: the folder for the plots and analysis.json');
      if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
      const samples = Number(f.samples);
      if (!Number.isSafeInteger(samples) || samples < 1) throw new UsageError(`--samples must be an integer >= 1, got "${String(f.samples)}"`);
      const json = join(out, 'analysis.json');
      if (existsSync(json) && !f.force) throw new UsageError(`${out} already holds an analysis; use --force to replace it or choose another --out`);
      const a = await analyzeCheckpoint(checkpoint, { samples, task: f.task as string | undefined, data: f.data as string | undefined, ablation: f.ablation !== false });
      const summary = {
        checkpoint, describe: a.describe, cell: a.data.cell,
        decay: a.data.decay.layers.map((l) => ({ layer: l.layer, memory: l.memoryFit?.better ?? null, exponent: l.memoryFit?.powerLaw.parameter ?? null,
          rate: l.memoryFit?.exponential.parameter ?? null, powerLawUnits: l.powerLawUnits, units: l.units.length })),
        plots: a.plots.map((p) => p.name),
      };
      const files = [...plotFiles(a.plots, out), { path: json, data: JSON.stringify({ checkpoint, describe: a.describe, plots: a.plots.map((p) => ({ name: p.name, caption: p.caption })), ...a.data }) + '\n' }];
      writeFilesAtomic(files, true); // the check above already refused an earlier analysis without --force
      if (f.json) {
        process.stdout.write(JSON.stringify(summary) + '\n');
      } else {
        process.stdout.write(`${a.describe}\n`);
        for (const l of a.data.decay.layers) process.stdout.write(`layer ${l.layer}: longest-memory units: ${describeFit(l.memoryFit)}; ${l.powerLawUnits} of ${l.units.length} units fit a power law better\n`);
        process.stdout.write(`${a.plots.length} plots (SVG and PNG) and analysis.json in ${out}\n`);
      }
    });
}
