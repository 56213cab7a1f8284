// What `plstm analyze` and `plstm report` run a checkpoint on: the model (twice: in float64
// on the reference cells for clean traces, and on the default backend for the task metric),
// a batch of its own task's inputs and the task's evaluator. A checkpoint of `plstm train`
// rebuilds its task from the saved options; a model file of `plstm forecast fit` reads the
// series its metadata names (or --data) and cuts its windows.
import { readFileSync } from 'node:fs';
import { ConfigError, DataError, ModelFileError } from '../errors.js';
import { loadModel } from '../node/save-load.js';
import type { SequenceModel } from '../model/sequence-model.js';
import type { ReportDataOptions } from '../analysis/report-data.js';
import { TASKS, type TrainOptions } from '../experiments/registry.js';
import { resolveOptions } from '../experiments/options.js';
import { COPY_LENGTH } from '../data/copy-task.js';
import { Forecaster } from '../forecast/forecaster.js';
import { readSeriesCsv } from '../forecast/read-csv.js';
import { windowOrigins } from '../forecast/windows.js';
import { lookbackOf } from '../forecast/settings.js';
import { parseFrequency } from '../forecast/series.js';

/** A checkpoint opened for analysis; dispose() frees both models. */
export interface AnalysisSource {
  /** "copy T=100 ..." or "forecaster of FILE". */
  describe: string;
  /** The task name ('copy', ...) or 'forecast'. */
  task: string;
  /** The task's primary metric ('acc', ...; 'loss' for a forecaster). */
  primary: string;
  /** The model in float64 on the reference cells (what the traces run on). */
  exact: SequenceModel;
  /** Inputs of B sequences of T steps. */
  x: Int32Array | Float32Array | Float64Array;
  B: number;
  T: number;
  /** What reportData needs beyond the inputs (decay start, ablation). */
  options: ReportDataOptions;
  /** The checkpoint's metadata (its training options, progress, forecaster settings). */
  meta: Record<string, unknown>;
  dispose(): void;
}

/** Options of openAnalysisSource. */
export interface SourceOptions {
  /** Sequences (or windows) to trace (default 32). */
  samples?: number;
  /** The task the checkpoint must be of (refused when it is another). */
  task?: string;
  /** The CSV of a forecaster when its metadata's file is not there. */
  data?: string;
  /** Silence units and measure the task metric (default true). */
  ablation?: boolean;
}

/** Opens a checkpoint of plstm train or a model file of plstm forecast fit. */
export function openAnalysisSource(file: string, opts: SourceOptions = {}): AnalysisSource {
  const samples = opts.samples ?? 32;
  const { model: exact, meta } = loadModel(file, { backend: 'js', dtype: 'float64' });
  try {
    if (meta.forecaster !== undefined) return openForecaster(file, exact, meta, samples, opts);
    const saved = (meta as { options?: TrainOptions }).options;
    if (saved === undefined || typeof saved.task !== 'string') {
      throw new ModelFileError(`${file} is a model but not a checkpoint of plstm train or plstm forecast fit (no task in its metadata)`);
    }
    if (opts.task !== undefined && opts.task !== saved.task) throw new ConfigError(`${file} is a checkpoint of task ${saved.task}, not ${opts.task}`);
    return openTrainCheckpoint(file, exact, meta, saved, samples, opts);
  } catch (err) {
    exact.dispose();
    throw err;
  }
}

function openTrainCheckpoint(file: string, exact: SequenceModel, meta: Record<string, unknown>, saved: TrainOptions,
  samples: number, opts: SourceOptions): AnalysisSource {
  const o = resolveOptions(saved.task, saved);
  const prepared = TASKS[o.task](o);
  const want = prepared.modelConfig, have = exact.config;
  if (JSON.stringify(want.input) !== JSON.stringify(have.input) || JSON.stringify(want.head) !== JSON.stringify(have.head) || want.loss !== have.loss) {
    throw new ConfigError(`${file} does not fit task ${o.task}: the model reads ${JSON.stringify(have.input)} and outputs ${JSON.stringify(have.head)}, the task needs ${JSON.stringify(want.input)} -> ${JSON.stringify(want.head)}`);
  }
  // the first training batches of epoch 0, concatenated up to `samples` sequences
  const parts: { x: Int32Array | Float32Array | Float64Array; B: number; T: number }[] = [];
  let B = 0;
  for (let step = 0; B < samples && step < prepared.batchesPerEpoch; step++) {
    const b = prepared.trainBatch(0, step);
    parts.push(b);
    B += b.B;
  }
  B = Math.min(B, samples);
  const T = parts[0].T;
  const per = parts[0].x.length / (parts[0].B * T);
  const x = new (parts[0].x.constructor as { new(n: number): Int32Array | Float32Array | Float64Array })(B * T * per); // [B, T, I]
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.x.length, x.length - at);
    x.set(p.x.subarray(0, take), at);
    at += take;
  }
  let fast: SequenceModel | null = null;
  const options: ReportDataOptions = { decayStart: o.task === 'copy' ? COPY_LENGTH : 0 };
  if (opts.ablation !== false) {
    fast = loadModel(file).model;
    options.ablation = { model: fast, evaluate: (m) => prepared.evaluate(m)[prepared.primary.name], metric: prepared.primary.name };
  }
  return {
    describe: prepared.describe, task: o.task, primary: prepared.primary.name, exact, x, B, T, options, meta,
    dispose: () => { exact.dispose(); fast?.dispose(); },
  };
}

function openForecaster(file: string, exact: SequenceModel, meta: Record<string, unknown>, samples: number, opts: SourceOptions): AnalysisSource {
  if (opts.task !== undefined && opts.task !== 'forecast') throw new ConfigError(`${file} is a forecaster (plstm forecast fit), not a checkpoint of task ${opts.task}`);
  const fc = Forecaster.fromBytes(readFileSync(file), {}, `model file ${file}`);
  try {
    const info = fc.info as { data?: string; time?: string; target?: string; id?: string; freq?: string; covariates?: string[] };
    const csv = opts.data ?? info.data;
    if (csv === undefined) throw new DataError(`${file} does not name the CSV it was fitted on: give --data FILE`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(csv);
    } catch {
      throw new DataError(`cannot read ${csv}, the series of ${file}: give --data FILE`);
    }
    if (info.time === undefined || info.target === undefined) throw new DataError(`${file} does not name its time and target columns; refit it with plstm forecast fit`);
    const series = readSeriesCsv(bytes, { source: csv, header: 'auto', time: info.time, target: info.target, id: info.id, covariates: info.covariates,
      freq: info.freq === undefined ? undefined : parseFrequency(info.freq) });
    const s = fc.settings;
    // windows of the first series, spread evenly over it
    const ser = series[0];
    // the first origin with a whole window (and, under normalize 'seasonal', the history its frame reads)
    const first = fc.minHistory(ser);
    const all = windowOrigins({ lookback: first, horizon: s.horizon, end: ser.values.length });
    if (all.length === 0) throw new DataError(`${csv}: series "${ser.id}" is shorter than the ${first} steps of history a window reads + horizon = ${first + s.horizon}`);
    const pick = (k: number) => Array.from({ length: Math.min(k, all.length) }, (_, i) => all[Math.floor((i * all.length) / Math.min(k, all.length))]);
    const traced = fc.windowsOf(ser, pick(samples));
    const options: ReportDataOptions = {};
    if (opts.ablation !== false) {
      const n = Math.min(512, all.length);
      const scored = fc.windowsOf(ser, pick(n));
      options.ablation = {
        model: fc.sequenceModel, metric: 'loss',
        // the model's own loss on the scaled windows (mse or pinball): lower is better
        evaluate: (m) => m.evaluate({ B: n, T: lookbackOf(s), x: scored.x, y: scored.y }).loss,
      };
    }
    return {
      describe: `forecaster of ${csv} (series "${ser.id}", lookback ${lookbackOf(s)}, horizon ${s.horizon})`, task: 'forecast', primary: 'loss',
      exact, x: traced.x, B: Math.min(samples, all.length), T: lookbackOf(s),
      options, meta, dispose: () => { exact.dispose(); fc.dispose(); },
    };
  } catch (err) {
    fc.dispose();
    throw err;
  }
}
