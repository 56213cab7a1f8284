// The data of each playground task, from the settings' seed: what both models train on (the
// same batches) and the fixed held-out set they are scored on.
// - copy: the copy task of Chien et al. (2021), one-hot tokens in, a softmax head on every
//   step; scored by symbol accuracy over the last 10 steps (chance 1/8).
// - adding: the adding problem (Le et al. 2015), [value, marker] in, the sum out after the last
//   step; scored by MSE (always guessing 1 scores 1/6).
// - forecast: a monthly series (built-in CO2, or the user's CSV); the last 2 * horizon steps
//   are held out; scored by MASE (1 = seasonal naive on the training part).
//
// N = held-out sequences, B = batch, T = steps per sequence (L for the copy task).

import { Rng, argmaxRows, data, forecast, PlstmError, type Batch, type HeadConfig, type InputConfig, type ModelConfig, type SequenceModel } from 'powerlaw-lstm';
import type { PlaygroundSettings } from '../protocol.js';
import { PlaygroundProblem } from './problem.js';
import { CO2_CSV } from '../../data/co2-concentration.js';

/** Sequences in every held-out set: enough for a steady score, few enough to evaluate live. */
export const HELD_OUT_SEQUENCES = 256;

/** A seed for the held-out data that differs from the training data's for every settings.seed. */
export function heldOutSeed(seed: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ 0x68e31da4) >>> 0;
}

/** A task whose data are whole sequences (copy, adding): both models read the same batches. */
export interface SequenceTask {
  kind: 'copy' | 'adding';
  /** Steps per sequence (the copy task: L = delay + 19). */
  T: number;
  input: InputConfig;
  head: HeadConfig;
  loss: ModelConfig['loss'];
  metric: 'accuracy' | 'mse';
  /** The metric of a model that learned nothing (chance or the mean-only baseline). */
  baseline: number;
  /** The next training batch of B sequences (each call draws new ones from the seed). */
  nextBatch(B: number): Batch;
  /** The fixed held-out set (N = HELD_OUT_SEQUENCES). */
  heldOut: Batch;
  /** The model's metric on the held-out set. */
  score(model: SequenceModel): number;
}

/** The copy task with delay settings.delay. */
export function copyTask(settings: PlaygroundSettings): SequenceTask {
  const L = data.copySequenceLength(settings.delay);
  const train = new Rng(settings.seed);
  const held = data.makeCopyTask(HELD_OUT_SEQUENCES, settings.delay, new Rng(heldOutSeed(settings.seed)));
  const heldOut: Batch = { B: held.N, T: L, x: held.x, y: held.y };
  return {
    kind: 'copy', T: L,
    input: { kind: 'onehot', size: data.COPY_VOCAB },
    head: { size: data.COPY_VOCAB, steps: 'all' },
    loss: 'xent', metric: 'accuracy', baseline: 1 / data.COPY_SYMBOLS,
    nextBatch(B) {
      const d = data.makeCopyTask(B, settings.delay, train);
      return { B, T: L, x: d.x, y: d.y };
    },
    heldOut,
    score(model) {
      const { outputs } = model.evaluate(heldOut); // [N, L, 10] logits
      const pred = argmaxRows(outputs, data.COPY_VOCAB); // [N, L]
      return data.copyAccuracy(pred, held.y, held.N, L).symbolAcc;
    },
  };
}

/** The adding problem with settings.length steps. */
export function addingTask(settings: PlaygroundSettings): SequenceTask {
  const T = settings.length;
  const train = new Rng(settings.seed);
  const held = data.makeAddingTask(HELD_OUT_SEQUENCES, T, new Rng(heldOutSeed(settings.seed)));
  const heldOut: Batch = { B: held.N, T, x: held.x, y: held.y };
  return {
    kind: 'adding', T,
    input: { kind: 'dense', size: 2 },
    head: { size: 1, steps: 'last' },
    loss: 'mse', metric: 'mse', baseline: data.ADDING_BASELINE_MSE,
    nextBatch(B) {
      const d = data.makeAddingTask(B, T, train);
      return { B, T, x: d.x, y: d.y };
    },
    heldOut,
    // the loss is the MSE over the held-out sums
    score: (model) => model.evaluate(heldOut).loss,
  };
}

/** The forecast task's series and how it is split. */
export interface ForecastTask {
  kind: 'forecast';
  series: forecast.TimeSeries;
  /** Steps at the end held out from training: 2 * horizon. */
  testSize: number;
  /** Training steps: values[0 .. trainEnd). */
  trainEnd: number;
  /** The season of MASE, from the frequency (monthly: 12). */
  season: number;
  /** Where the series came from, for messages and file names. */
  source: string;
}

/** The forecast task on the built-in CO2 series or on the user's CSV text. */
export function forecastTask(settings: PlaygroundSettings, csv: string | undefined): ForecastTask {
  let series: forecast.TimeSeries;
  let source: string;
  if (settings.series === 'co2') {
    series = forecast.readSeriesCsv(CO2_CSV, { time: 'Date', target: 'CO2', fill: 'interpolate', source: 'co2-concentration.csv' })[0];
    source = 'Mauna Loa CO2';
  } else {
    if (csv === undefined || csv.trim() === '') throw new PlaygroundProblem('no CSV given: drop a CSV file with a date column and a number column on the page');
    series = userSeries(csv);
    source = 'your CSV';
  }
  const testSize = 2 * settings.horizon;
  const trainEnd = series.values.length - testSize;
  const need = settings.lookback + settings.horizon;
  if (trainEnd < need) {
    throw new PlaygroundProblem(`${source} has ${series.values.length} steps: after holding out the last ${testSize} (2 x horizon), ${trainEnd} remain for training, fewer than lookback + horizon = ${need}; lower the lookback or horizon`);
  }
  const season = forecast.defaultSeason(series.freq);
  if (!Number.isFinite(forecast.maseScale(series.values, trainEnd, season))) {
    throw new PlaygroundProblem(`${source}: MASE is undefined, the training part has no seasonal-naive error at season ${season} (too short, or repeating exactly); give a longer or a real series`);
  }
  return { kind: 'forecast', series, testSize, trainEnd, season, source };
}

const isNumber = (c: string): boolean => c.trim() !== '' && Number.isFinite(Number(c));
const isDate = (c: string): boolean => !isNumber(c) && c.trim() !== '' && !Number.isNaN(Date.parse(c));

/**
 * The series of a dropped CSV: time = the first date-like column, target = the first other
 * numeric column (read from the first data row); parsed by the library's series reader, with
 * gaps interpolated. Any problem is a PlaygroundProblem.
 */
export function userSeries(csv: string): forecast.TimeSeries {
  let table: data.CsvTable;
  try {
    table = data.parseCsv(csv, { source: 'the CSV' });
  } catch (err) {
    if (err instanceof PlstmError) throw new PlaygroundProblem(err.message);
    throw err;
  }
  const first = table.rows[0];
  const time = first.findIndex(isDate);
  if (time < 0) throw new PlaygroundProblem('the CSV has no date column (like 2020-01-31): give a CSV with a date column and a number column');
  const target = first.findIndex((c, i) => i !== time && isNumber(c));
  if (target < 0) throw new PlaygroundProblem('the CSV has no number column besides its dates: give a CSV with a date column and a number column');
  try {
    const all = forecast.readSeriesCsv(csv, { time: String(time + 1), target: String(target + 1), header: table.header, fill: 'interpolate', source: 'the CSV' });
    return all[0];
  } catch (err) {
    if (err instanceof PlstmError) throw new PlaygroundProblem(`the CSV does not parse as a series: ${err.message}`);
    throw err;
  }
}
