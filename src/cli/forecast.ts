// `plstm forecast fit|predict|backtest`: forecasting from a CSV file.
//   fit       trains on everything but the last --test-size points, scores them against
//             seasonal naive, and writes the model, metrics, the held-out forecasts and a plot.
//   predict   forecasts --horizon steps after the end of the data with a saved model (CSV).
//   backtest  trains each model once on everything before the last --test-size points, then
//             forecasts from every origin of the test part, --stride apart (no refitting; with
//             --refit-every K it trains again every K origins, expanding or fixed window).
// Every file is written whole or not at all, and an existing one only with --force.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BASELINE_NAMES, BaselineModel, Forecaster, backtest, defaultSeason, lookbackOf, formatTime, isBaseline, parseFrequency, readSeriesCsv, testOrigins,
  type BacktestResult, type ForecastCell, type ForecastMode, type ForecastModel, type ForecasterConfig, type Normalization, type TimeSeries,
} from '../forecast/index.js';
import { forecastChart, renderSvg } from '../plot/index.js';
import { svgToPng } from '../plot/png.js';
import { writeFilesAtomic, refuseOverwrite } from '../node/write-atomic.js';
import { DataError, PlstmError } from '../errors.js';
import { requireSetting } from '../cells/bounds.js';
import type { PInit } from '../model/config.js';
import { CORE_OPTIONS } from '../experiments/core-options.js';
import { pInitOf } from '../experiments/layer-specs.js';
import { flagOf, showDefault } from '../experiments/option-spec.js';
import { UsageError } from './usage-error.js';
import { parserOf } from './train-options.js';

type Flags = Record<string, string | boolean | undefined>;

/** The library's names of the settings these commands set by flag. */
const FLAG_OF_SETTING: Record<string, string> = {
  testSize: '--test-size', lookback: '--lookback', horizon: '--horizon', season: '--season', seasons: '--seasons', freq: '--freq', fill: '--fill',
};
const SETTING_IN_HINT = new RegExp(`\\b(${Object.keys(FLAG_OF_SETTING).join('|')})\\b(?:: '([^']*)')?`, 'g');

/**
 * A library error's hint (what follows its last '; ') in the flags that set what it names:
 * `testSize` becomes `--test-size`, `fill: 'interpolate'` becomes `--fill interpolate`.
 */
function inFlags(message: string): string {
  const cut = message.lastIndexOf('; ') + 2;
  if (cut < 2) return message;
  return message.slice(0, cut) + message.slice(cut).replace(SETTING_IN_HINT,
    (_, name: string, value: string | undefined) => FLAG_OF_SETTING[name] + (value === undefined ? '' : ` ${value}`));
}

/** An action whose library errors speak of flags, not of the library's setting names. */
function speakingFlags<A extends unknown[]>(action: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (err) {
      if (err instanceof PlstmError) err.message = inFlags(err.message);
      throw err;
    }
  };
}

function addDataFlags(cmd: Command, required: boolean): Command {
  const req = required ? ' (required)' : ' (default: the model\'s)';
  return cmd
    .option('--data <file>', 'CSV file: a header or none, "," ";" or tab separated (required)')
    .option('--time <col>', `time column, by header name or 1-based number: numbers or dates${req}`)
    .option('--target <col>', `value column to forecast${req}`)
    .option('--id <col>', 'column naming the series of each row (long format, many series)')
    .option('--header <yes|no|auto>', 'whether the first row names the columns', 'auto')
    .option('--freq <f>', 'frequency: H, D, W, M, Q, Y or a numeric step (default: inferred)')
    .option('--fill <none|interpolate>', 'missing values and missing steps: an error, or filled linearly', 'none');
}

function addModelFlags(cmd: Command): Command {
  cmd
    .option('--lookback <L>', 'input steps per forecast; with --mode stateful, steps per truncated-BPTT chunk (default: by frequency: 336 hours, 365 days, 104 weeks, 24 months, 8 quarters, else 4 horizons; shorter when the data cannot hold it)')
    .option('--mode <windowed|stateful>', 'windowed: lookback steps in, horizon out; stateful: the state runs through the whole history', 'windowed')
    .option('--horizon <H>', 'steps forecast at once (required)')
    .option('--hidden <n>', 'hidden units per layer', '32')
    .option('--layers <n>', 'stacked recurrent layers', '1')
    .option('--dropout <rate>', 'dropout on layer outputs while training', '0')
    .option('--epochs <n>', 'passes over the training windows', '30')
    .option('--batch-size <n>', 'windows per training step', '32')
    .option('--lr <rate>', 'Adam learning rate', '0.003')
    .option('--quantiles <list>', 'quantile levels, e.g. 0.1,0.5,0.9, or "none" for point forecasts (MSE)', '0.1,0.5,0.9')
    .option('--no-calendar', 'no calendar features (day of week, day of year, month)')
    .option('--future-calendar', 'also feed the calendar features of the forecast steps (each input step carries those of the step a horizon later)')
    .option('--normalize <seasonal|series|window>', "seasonal (default): windowed, each window by its level, spread and seasonal base, in logs for positive data; stateful, seasonal differences over each series' best lag; series: scaled by the training part only; window: also relative to each window's last value (windowed)")
    .option('--seasons <list>', 'seasonal periods of the seasonal frame, e.g. 24,168 (default: --season, else by frequency)')
    .option('--max-steps <n>', 'training steps at most, or "none"', '3000')
    .option('--schedule <cosine|constant>', 'learning rate: cosine decay to 0 over training, or constant', 'cosine')
    .option('--covariates <cols>', 'past covariates: extra numeric columns (comma-separated), known up to each time, fed as inputs')
    .option('--season <m>', 'seasonal period of MASE and seasonal naive (default: by frequency)')
    .option('--seed <k>', 'seed of weights and shuffling', '1')
    .option('--time-limit <seconds>', 'cap on each model\'s training time')
    .option('--backend <wasm|js>', 'kernels to run on (default: wasm when it loads)');
  return addCellFlags(cmd);
}

/** The cell settings, flags of plstm train: their help, parser and bound come from its option table. */
const CELL_FLAGS = ['eps', 'pInit', 'pRange', 'fixedP', 'forgetBias'] as const;
/** Which cell each of them belongs to. */
const CELL_OF_FLAG: Record<(typeof CELL_FLAGS)[number], 'plstm' | 'lstm'> = { eps: 'plstm', pInit: 'plstm', pRange: 'plstm', fixedP: 'plstm', forgetBias: 'lstm' };

function cellSpec(key: (typeof CELL_FLAGS)[number]) {
  return CORE_OPTIONS.find((s) => s.key === key)!;
}

function addCellFlags(cmd: Command): Command {
  for (const key of CELL_FLAGS) {
    const spec = cellSpec(key), flag = flagOf(key);
    cmd.option(`${flag} <${spec.arg}>`, `${spec.help} (default ${showDefault(spec.default)})`, parserOf(flag, spec.type));
  }
  return cmd;
}

/** The cell flags given, as forecaster settings (each checked with the cells' bound). */
function cellSettingsOf(f: Record<string, unknown>): { eps?: number; pInit?: PInit; forgetBias?: number } {
  for (const key of CELL_FLAGS) {
    const spec = cellSpec(key), v = f[key];
    if (v === undefined || spec.check === undefined) continue;
    requireSetting(flagOf(key), v, spec.check);
  }
  if (f.fixedP !== undefined && f.pInit !== undefined) throw new UsageError('--fixed-p cannot be combined with --p-init (a fixed p is not learned)');
  if (f.pRange !== undefined && f.pInit !== 'range') throw new UsageError('--p-range needs --p-init range');
  const range = (f.pRange ?? cellSpec('pRange').default) as [number, number];
  // none of the three flags: the forecaster's default
  const pInit: PInit | undefined = f.fixedP === undefined && f.pInit === undefined ? undefined
    : pInitOf((f.pInit ?? 'uniform') as 'uniform' | 'range', range, (f.fixedP ?? null) as number | null);
  return { eps: f.eps as number | undefined, pInit, forgetBias: f.forgetBias as number | undefined };
}

/**
 * The cell flags that apply to a model of this cell: a pLSTM's eps and p flags, --forget-bias
 * for 'lstm' only (lstm-chrono sets that bias itself).
 */
function cellSettingsFor(all: ReturnType<typeof cellSettingsOf>, cell: ForecastCell): ReturnType<typeof cellSettingsOf> {
  return cell === 'plstm' ? { eps: all.eps, pInit: all.pInit } : cell === 'lstm' ? { forgetBias: all.forgetBias } : {};
}

/** A cell flag given for models none of which has that cell: an error naming the flag. */
function checkCellFlagsApply(f: Record<string, unknown>, cells: ForecastCell[], where: (cell: 'plstm' | 'lstm') => string): void {
  for (const key of CELL_FLAGS) {
    const cell = CELL_OF_FLAG[key];
    if (f[key] === undefined || cells.includes(cell)) continue;
    const what = cell === 'plstm' ? 'a pLSTM setting' : 'a setting of --cell lstm (lstm-chrono sets its forget bias itself)';
    throw new UsageError(`${flagOf(key)} is ${what}; ${where(cell)}`);
  }
}

function int(f: Flags, name: string, flag: string): number | undefined {
  const v = f[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag} must be a positive integer, got "${String(v)}"`);
  return n;
}

function num(f: Flags, name: string, flag: string): number | undefined {
  const v = f[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} must be a number >= 0, got "${String(v)}"`);
  return n;
}

function need<T>(v: T | undefined, flag: string, what: string): T {
  if (v === undefined) throw new UsageError(`--${flag} is required: ${what}`);
  return v;
}

function readData(f: Flags, saved: Record<string, unknown> = {}): TimeSeries[] {
  const file = need(f.data as string | undefined, 'data', 'the CSV file to read');
  const header = f.header === 'yes' ? true : f.header === 'no' ? false : f.header === 'auto' || f.header === undefined ? 'auto' : null;
  if (header === null) throw new UsageError(`--header must be yes, no or auto, got "${String(f.header)}"`);
  if (f.fill !== 'none' && f.fill !== 'interpolate') throw new UsageError(`--fill must be none or interpolate, got "${String(f.fill)}"`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new DataError(`cannot read ${file}: no such file or not readable`);
  }
  const time = (f.time as string | undefined) ?? (saved.time as string | undefined);
  const target = (f.target as string | undefined) ?? (saved.target as string | undefined);
  const id = (f.id as string | undefined) ?? (saved.id as string | undefined);
  const freq = (f.freq as string | undefined) ?? (saved.freq as string | undefined);
  const covariates = covariatesOf(f) ?? (saved.covariates as string[] | undefined);
  return readSeriesCsv(bytes, {
    source: file, header,
    time: need(time, 'time', 'the time column (header name or 1-based number)'),
    target: need(target, 'target', 'the value column'),
    id, fill: f.fill, freq: freq === undefined ? undefined : parseFrequency(freq), covariates,
  });
}

/** --covariates col1,col2: past covariate columns, or undefined when not given. */
function covariatesOf(f: Flags): string[] | undefined {
  if (f.covariates === undefined) return undefined;
  const cols = String(f.covariates).split(',').map((c) => c.trim());
  if (cols.some((c) => c === '')) throw new UsageError(`--covariates must be column names (or 1-based numbers) separated by commas, got "${String(f.covariates)}"`);
  return cols;
}

function settingsOf(f: Flags, cell: ForecastCell): ForecasterConfig {
  const q = String(f.quantiles ?? '0.1,0.5,0.9');
  const quantiles = q === 'none' ? null : q.split(',').map((s) => Number(s));
  if (quantiles !== null && !quantiles.every((v) => v > 0 && v < 1)) throw new UsageError(`--quantiles must be levels in (0, 1) like 0.1,0.5,0.9 or "none", got "${q}"`);
  return {
    lookback: int(f, 'lookback', 'lookback'),
    horizon: need(int(f, 'horizon', 'horizon'), 'horizon', 'steps forecast at once'),
    mode: modeOf(f), ...cellOf(cell), hidden: int(f, 'hidden', 'hidden'), layers: int(f, 'layers', 'layers'), dropout: num(f, 'dropout', 'dropout'),
    epochs: int(f, 'epochs', 'epochs'), batchSize: int(f, 'batchSize', 'batch-size'), seed: seedOf(f),
    optimizer: { kind: 'adam', lr: num(f, 'lr', 'lr') ?? 0.003 }, quantiles, calendar: f.calendar !== false,
    futureCalendar: f.futureCalendar === true,
    season: int(f, 'season', 'season'), timeLimit: num(f, 'timeLimit', 'time-limit') ?? null, normalize: normalizeOf(f),
    seasons: seasonsOf(f), maxSteps: f.maxSteps === 'none' ? null : int(f, 'maxSteps', 'max-steps'), schedule: scheduleOf(f),
  };
}

function modeOf(f: Flags): ForecastMode {
  const m = String(f.mode ?? 'windowed');
  if (m !== 'windowed' && m !== 'stateful') throw new UsageError(`--mode must be windowed or stateful, got "${m}"`);
  return m;
}

/** --normalize, or undefined: the library's default for the mode. */
function normalizeOf(f: Flags): Normalization | undefined {
  if (f.normalize === undefined) return undefined;
  const m = String(f.normalize);
  if (m !== 'seasonal' && m !== 'series' && m !== 'window') throw new UsageError(`--normalize must be seasonal, series or window, got "${m}"`);
  return m;
}

function seasonsOf(f: Flags): number[] | undefined {
  if (f.seasons === undefined) return undefined;
  const list = String(f.seasons).split(',').map((v) => Number(v));
  if (!list.every((m) => Number.isInteger(m) && m >= 1)) throw new UsageError(`--seasons must be whole numbers of steps >= 1 like 24,168, got "${String(f.seasons)}"`);
  return list;
}

function scheduleOf(f: Flags): 'cosine' | 'constant' {
  const m = String(f.schedule ?? 'cosine');
  if (m !== 'cosine' && m !== 'constant') throw new UsageError(`--schedule must be cosine or constant, got "${m}"`);
  return m;
}

function seedOf(f: Flags): number {
  const n = Number(f.seed ?? 1);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--seed must be an integer, got "${String(f.seed)}"`);
  return n;
}

function runtimeOf(f: Flags): { backend?: 'wasm' | 'js' } {
  if (f.backend === undefined) return {};
  if (f.backend !== 'wasm' && f.backend !== 'js') throw new UsageError(`--backend must be wasm or js, got "${String(f.backend)}"`);
  return { backend: f.backend };
}

/**
 * The networks by their CLI names (--cell, --models): 'lstm-chrono' names an LSTM with chrono
 * initialisation (Tmax = lookback), { cell: 'lstm', chrono: true } in the library.
 */
const CELLS: ForecastCell[] = ['plstm', 'lstm', 'lstm-chrono'];

/** A CLI network name as forecaster settings. */
function cellOf(name: ForecastCell): Pick<ForecasterConfig, 'cell' | 'chrono'> {
  return name === 'lstm-chrono' ? { cell: 'lstm', chrono: true } : { cell: name };
}

/** Rows of a forecasts CSV: id, time, forecast and one column per quantile. */
function forecastCsv(rows: { id: string; time: string; point: number; q: number[] | null }[], levels: number[] | null, withId: boolean): string {
  const head = [...(withId ? ['id'] : []), 'time', 'forecast', ...(levels ?? []).map((l) => `q${l}`)];
  const body = rows.map((r) => [...(withId ? [csvCell(r.id)] : []), r.time, fmtNum(r.point), ...(r.q ?? []).map(fmtNum)].join(','));
  return [head.join(','), ...body].join('\n') + '\n';
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const fmtNum = (v: number) => String(Math.round(v * 1e6) / 1e6);

function metricsLine(r: BacktestResult, seconds: number | null): Record<string, unknown> {
  const { MAE, RMSE, sMAPE, MAPE, MASE, pinball, coverage } = r.overall;
  const line: Record<string, unknown> = { model: r.model, MAE, RMSE, sMAPE, MAPE, MASE };
  if (pinball !== undefined) Object.assign(line, { pinball, coverage });
  // with refits: the first training's epochs, every training's seconds
  if (r.train !== undefined) Object.assign(line, { epochs: r.train.epochs, trainSeconds: (r.refits ?? [r]).reduce((sum, x) => sum + x.train!.seconds, 0) });
  if (seconds !== null) line.seconds = seconds;
  return line;
}

export function registerForecast(program: Command): void {
  const forecast = program.command('forecast').description('forecast time series from a CSV file: fit, predict, backtest');

  addModelFlags(addDataFlags(forecast.command('fit')
    .description('train on all but the last --test-size points, score them, write model, metrics, forecasts and plot'), true))
    .option('--cell <cell>', 'plstm | lstm | lstm-chrono', 'plstm')
    .option('--test-size <N>', 'points held out at the end to score and plot (default: the horizon)')
    .option('--out <dir>', 'output folder (required)')
    .option('--force', 'replace files already in --out')
    .action(speakingFlags(async (f: Flags) => {
      const out = need(f.out as string | undefined, 'out', 'the folder for model.safetensors, metrics.json, forecast.csv and plot.svg/png');
      const cell = f.cell as ForecastCell;
      if (!CELLS.includes(cell)) throw new UsageError(`--cell must be plstm, lstm or lstm-chrono, got "${String(cell)}"`);
      checkCellFlagsApply(f, [cell], () => `this run uses --cell ${cell}`);
      const settings: ForecasterConfig = { ...settingsOf(f, cell), ...cellSettingsFor(cellSettingsOf(f), cell) };
      const files = ['model.safetensors', 'metrics.json', 'forecast.csv', 'plot.svg', 'plot.png'].map((n) => join(out, n));
      for (const p of files) refuseOverwrite(p, f.force === true);
      const series = readData(f);
      const testSize = int(f, 'testSize', 'test-size') ?? settings.horizon;
      const fc = new Forecaster(settings, runtimeOf(f));
      try {
        // data: where the series came from, so plstm analyze can find its windows again
        fc.info = { time: f.time, target: f.target, id: f.id, freq: f.freq, data: resolve(f.data as string), covariates: covariatesOf(f) };
        const t0 = Date.now();
        const bt = await backtest(fc, series, { testSize, stride: settings.horizon });
        const seconds = (Date.now() - t0) / 1000;
        const season = settings.season ?? defaultSeason(series[0].freq);
        const snaive = await backtest(new BaselineModel({ name: 'snaive', horizon: settings.horizon, seasons: [season] }), series,
          { testSize, stride: settings.horizon });
        // history: one line per epoch, named as plstm train's metrics.jsonl names them (plstm report draws both)
        const history = (bt.train?.history ?? []).map((r) => ({ epoch: r.epoch, global_step: r.globalStep, train_loss: r.trainLoss,
          ...(r.validation !== null ? { val_loss: r.validation.loss } : {}), lr: r.lr, seconds: r.seconds }));
        const metrics = { settings: fc.settings, testSize, season, models: [metricsLine(bt, seconds), metricsLine(snaive, null)], history, perStep: bt.perStep };
        // forecasts of the held-out part, from each origin
        const H = settings.horizon, Q = fc.Q, levels = fc.settings.quantiles;
        const rows = series.flatMap((s, i) => bt.origins[i].flatMap((o, w) => Array.from({ length: H }, (_, h) => ({
          id: s.id, time: formatTime(s.times[o + h], s.timeKind), point: bt.forecasts[i][w * H + h],
          q: bt.quantiles === null ? null : [...bt.quantiles[i].subarray((w * H + h) * Q, (w * H + h + 1) * Q)],
        }))));
        const svg = await renderSvg(plotOf(series[0], bt, 0, levels, Math.max(4 * H, lookbackOf(fc.settings))));
        writeFilesAtomic([
          { path: files[0], data: fc.toBytes() },
          { path: files[1], data: JSON.stringify(metrics, null, 2) + '\n' },
          { path: files[2], data: forecastCsv(rows, levels, series.length > 1 || f.id !== undefined) },
          { path: files[3], data: svg },
          { path: files[4], data: svgToPng(svg, { width: 1440 }) },
        ], f.force === true);
        const m = bt.overall;
        process.stdout.write(`${cell}: MAE ${m.MAE.toPrecision(4)}  RMSE ${m.RMSE.toPrecision(4)}  sMAPE ${m.sMAPE.toFixed(2)}  MASE ${m.MASE.toFixed(3)}` +
          `  (seasonal naive MASE ${snaive.overall.MASE.toFixed(3)})  ${seconds.toFixed(1)} s; wrote ${out}\n`);
      } finally {
        fc.dispose();
      }
    }));

  addDataFlags(forecast.command('predict')
    .description('forecast after the end of the data with a saved model, as CSV (with quantiles)'), false)
    .option('--model <file>', 'model.safetensors written by plstm forecast fit (required)')
    .option('--horizon <H>', 'steps to forecast (at most the model\'s horizon; default: the model\'s)')
    .option('--out <file>', 'forecasts CSV (required)')
    .option('--force', 'replace --out if it exists')
    .action(speakingFlags((f: Flags) => {
      const modelFile = need(f.model as string | undefined, 'model', 'a model.safetensors written by plstm forecast fit');
      const out = need(f.out as string | undefined, 'out', 'the forecasts CSV to write');
      refuseOverwrite(out, f.force === true);
      let bytes: Uint8Array;
      try { bytes = readFileSync(modelFile); } catch { throw new DataError(`cannot read ${modelFile}: no such file or not readable`); }
      const fc = Forecaster.fromBytes(bytes, {}, modelFile);
      try {
        const series = readData(f, fc.info);
        const h = int(f, 'horizon', 'horizon') ?? fc.settings.horizon;
        const preds = fc.predict(series, h);
        const Q = fc.Q;
        const rows = preds.flatMap((p, i) => p.times.map((t, k) => ({
          id: p.id, time: formatTime(t, series[i].timeKind), point: p.point[k],
          q: p.quantiles === null ? null : [...p.quantiles.subarray(k * Q, (k + 1) * Q)],
        })));
        writeFilesAtomic([{ path: out, data: forecastCsv(rows, fc.settings.quantiles, series.length > 1 || fc.info.id !== undefined) }], f.force === true);
        process.stderr.write(`wrote ${rows.length} forecasts to ${out}\n`);
      } finally {
        fc.dispose();
      }
    }));

  addModelFlags(addDataFlags(forecast.command('backtest')
    .description('rolling-origin backtest of several models on the last --test-size points (trained once, or every --refit-every origins)'), true))
    .option('--test-size <N>', 'points at the end forecast from rolling origins (required)')
    .option('--stride <S>', 'steps between forecast origins', '1')
    .option('--refit-every <K>', 'train again every K origins, on data before them only (default: train once before the test part)')
    .option('--window <expanding|fixed>', 'what each refit trains on: everything before its origin, or the last (length - test size) steps', 'expanding')
    .option('--models <list>', `comma-separated: ${[...CELLS, ...BASELINE_NAMES].join(', ')}`, 'plstm,lstm,snaive')
    .option('--json', 'one JSON line per model on stdout (model, MAE, RMSE, sMAPE, MAPE, MASE, ...), nothing else')
    .action(speakingFlags(async (f: Flags) => {
      const models = String(f.models).split(',').map((s) => s.trim()).filter((s) => s !== '');
      for (const m of models) {
        if (!CELLS.includes(m as ForecastCell) && !isBaseline(m)) throw new UsageError(`unknown model "${m}" in --models: use ${[...CELLS, ...BASELINE_NAMES].join(', ')}`);
      }
      const testSize = need(int(f, 'testSize', 'test-size'), 'test-size', 'points at the end to backtest on');
      const stride = int(f, 'stride', 'stride') ?? 1;
      const refitEvery = int(f, 'refitEvery', 'refit-every');
      const window = String(f.window ?? 'expanding');
      if (window !== 'expanding' && window !== 'fixed') throw new UsageError(`--window must be expanding or fixed, got "${window}"`);
      const base = settingsOf(f, 'plstm');
      const cells = models.filter((m): m is ForecastCell => CELLS.includes(m as ForecastCell));
      checkCellFlagsApply(f, cells, (c) => `--models has no ${c}`);
      const cellSettings = cellSettingsOf(f);
      const series = readData(f);
      const seasons = base.season === undefined ? undefined : [base.season];
      const modelOf = (m: string): ForecastModel => isBaseline(m)
        ? new BaselineModel({ name: m, horizon: base.horizon, seasons })
        : new Forecaster({ ...base, ...cellOf(m as ForecastCell), ...cellSettingsFor(cellSettings, m as ForecastCell) }, runtimeOf(f));
      // every model can forecast the test part before any trains
      for (const m of models) {
        const model = modelOf(m);
        try {
          for (const s of series) testOrigins(s.values.length, testSize, stride, model.horizon, model.minHistory(s), s.id);
        } finally { model.dispose(); }
      }
      for (const m of models) {
        const t0 = Date.now();
        const model = modelOf(m);
        let r: BacktestResult;
        try { r = await backtest(model, series, { testSize, stride, refitEvery, window }); } finally { model.dispose(); }
        const line = metricsLine(r, (Date.now() - t0) / 1000);
        if (f.json) process.stdout.write(JSON.stringify(line) + '\n');
        else process.stdout.write(`${m.padEnd(12)} MAE ${r.overall.MAE.toPrecision(5)}  RMSE ${r.overall.RMSE.toPrecision(5)}  sMAPE ${r.overall.sMAPE.toFixed(2)}  MAPE ${r.overall.MAPE.toFixed(2)}  MASE ${r.overall.MASE.toFixed(3)}` +
          (r.overall.coverage !== undefined ? `  coverage ${r.overall.coverage.toFixed(3)}` : '') + `  ${(line.seconds as number).toFixed(1)} s\n`);
      }
    }));
}

/** The picture of fit: the last stretch of history, the last held-out forecast, its interval and the actuals. */
function plotOf(s: TimeSeries, bt: BacktestResult, i: number, levels: number[] | null, context: number) {
  const H = bt.perStep.length;
  const origins = bt.origins[i];
  const w = origins.length - 1, o = origins[w];
  const x = (t: number) => (s.timeKind === 'date' ? formatTime(s.times[t], 'date') : s.times[t]);
  const from = Math.max(0, o - context);
  const history = Array.from({ length: o - from }, (_, k) => ({ x: x(from + k), y: s.values[from + k] }));
  const forecast = Array.from({ length: H }, (_, h) => ({ x: x(o + h), y: bt.forecasts[i][w * H + h] }));
  const actuals = Array.from({ length: H }, (_, h) => ({ x: x(o + h), y: s.values[o + h] }));
  const Q = levels?.length ?? 0;
  const interval = bt.quantiles === null || Q < 2 ? undefined : Array.from({ length: H }, (_, h) => ({
    x: x(o + h), lo: bt.quantiles![i][(w * H + h) * Q], hi: bt.quantiles![i][(w * H + h) * Q + Q - 1],
  }));
  const intervalName = levels === null ? undefined : `${levels[0] * 100}%-${levels[Q - 1] * 100}%`;
  return forecastChart({ history, forecast, interval, intervalName, actuals }, { title: `${s.id === 'series' ? '' : `${s.id}: `}last held-out forecast`, width: 720, height: 320 });
}
