// The forecasting backtests of EXPERIMENTS.md ("Forecasting backtests"), after `npm run build`.
//
//   node experiments/forecast/forecast-experiments.mjs run --sunspots SN_m_tot_V2.0.csv [--only a,b] [--out FILE]
//     [--networks plstm,lstm] [--seeds 1,2] [--baselines no]
//   node experiments/forecast/forecast-experiments.mjs table [--out FILE]
//
// `run` appends one JSON line per (series, model, seed) to --out (default
// runs/forecast-experiments.jsonl): the networks and seasonal naive through the CLI command it
// prints (`plstm forecast backtest ... --json`), MSTL + ETS of Grafana's augurs (npm
// @bsull/augurs, a devDependency) on the same origins with the library's metrics, and the
// protocol of Darts' RNN example on the sunspots. `table` prints the markdown tables (mean ±
// standard deviation over the seeds). Series: sunspots (SILSO's monthly file, given by path),
// sunspots-long (the same with lookback 396, networks only), co2 and seattle (from the npm
// package vega-datasets), co2-window (co2 with --normalize window, networks only), darts (the
// Darts protocol, sunspots); the forecaster's options, networks only: seattle-future (seattle with
// --future-calendar), seattle-cov (seattle with the past covariates temp_min, precipitation,
// wind), sunspots-refit (sunspots trained again every 60 origins, expanding window).
// --networks and --seeds narrow the networks (default plstm, lstm, lstm-chrono) and seeds (1, 2, 3);
// --baselines no leaves out seasonal naive and MSTL + ETS (to re-run networks only).
// Runs go one after another (one process at a time); epochs are fixed, so results do not depend
// on the machine's load.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { forecast } from '../../dist/index.js';
import { initSync as initMstl, MSTL } from '@bsull/augurs/mstl';

const require = createRequire(import.meta.url);
let SEEDS = [1, 2, 3];
let NETWORKS = ['plstm', 'lstm', 'lstm-chrono'];
const ALL_SERIES = ['sunspots', 'darts', 'co2', 'co2-window', 'seattle', 'sunspots-long', 'seattle-future', 'seattle-cov', 'sunspots-refit'];

// the package exports only its build; its data files lie in data/ beside build/
const vegaData = (name) => relative(process.cwd(), join(dirname(require.resolve('vega-datasets')), '..', 'data', name));

/** The CLI settings of each series; `mstl` is the periods MSTL + ETS is given. */
function seriesConfigs(sunspots) {
  const seattleFlags = ['--time', 'date', '--target', 'temp_max',
    '--lookback', '365', '--horizon', '30', '--season', '365', '--test-size', '730', '--stride', '1', '--hidden', '32', '--epochs', '100'];
  const sunspotsFlags = ['--time', '3', '--target', '4', '--lookback', '132', '--horizon', '24', '--season', '132',
    '--test-size', '240', '--stride', '1', '--hidden', '32', '--epochs', '30'];
  return {
    sunspots: {
      data: sunspots, flags: sunspotsFlags,
      csv: { time: '3', target: '4' }, testSize: 240, horizon: 24, season: 132, mstl: [132],
    },
    // the same trained again every 60 origins on everything before them (217 origins: 4 trainings)
    'sunspots-refit': {
      data: sunspots, flags: [...sunspotsFlags, '--refit-every', '60', '--window', 'expanding'],
      csv: { time: '3', target: '4' }, testSize: 240, horizon: 24, season: 132, mstl: [132], baselines: false, refitEvery: 60,
    },
    // the same with three cycles of input: where a slow memory could help
    'sunspots-long': {
      data: sunspots, flags: ['--time', '3', '--target', '4', '--lookback', '396', '--horizon', '24', '--season', '132',
        '--test-size', '240', '--stride', '1', '--hidden', '32', '--epochs', '30'],
      csv: { time: '3', target: '4' }, testSize: 240, horizon: 24, season: 132, mstl: [132], baselines: false,
    },
    co2: {
      data: vegaData('co2-concentration.csv'), flags: ['--time', 'Date', '--target', 'CO2', '--fill', 'interpolate',
        '--lookback', '120', '--horizon', '24', '--season', '12', '--test-size', '120', '--stride', '1', '--hidden', '32', '--epochs', '100'],
      csv: { time: 'Date', target: 'CO2', fill: 'interpolate' }, testSize: 120, horizon: 24, season: 12, mstl: [12],
    },
    // the same with each window relative to its last value (--normalize window), networks only
    'co2-window': {
      data: vegaData('co2-concentration.csv'), flags: ['--time', 'Date', '--target', 'CO2', '--fill', 'interpolate',
        '--lookback', '120', '--horizon', '24', '--season', '12', '--test-size', '120', '--stride', '1', '--hidden', '32', '--epochs', '100',
        '--normalize', 'window'],
      csv: { time: 'Date', target: 'CO2', fill: 'interpolate' }, testSize: 120, horizon: 24, season: 12, mstl: [12], baselines: false,
    },
    seattle: {
      data: vegaData('seattle-weather.csv'), flags: seattleFlags,
      csv: { time: 'date', target: 'temp_max' }, testSize: 730, horizon: 30, season: 365, mstl: [365],
    },
    // the same with the calendar features of the forecast steps as inputs, networks only
    'seattle-future': {
      data: vegaData('seattle-weather.csv'), flags: [...seattleFlags, '--future-calendar'],
      csv: { time: 'date', target: 'temp_max' }, testSize: 730, horizon: 30, season: 365, mstl: [365], baselines: false,
    },
    // the same with three more columns of the file as past covariates, networks only
    'seattle-cov': {
      data: vegaData('seattle-weather.csv'), flags: [...seattleFlags, '--covariates', 'temp_min,precipitation,wind'],
      csv: { time: 'date', target: 'temp_max' }, testSize: 730, horizon: 30, season: 365, mstl: [365], baselines: false,
    },
  };
}

function parseArgs(argv) {
  const a = { cmd: argv[0], out: 'runs/forecast-experiments.jsonl', only: null, sunspots: null, networks: null, seeds: null, baselines: 'yes' };
  for (let i = 1; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, ''), v = argv[i + 1];
    if (!(k in a) || v === undefined) throw new Error(`unknown or empty option ${argv[i]}`);
    a[k] = v;
  }
  a.only = a.only === null ? ALL_SERIES : a.only.split(',');
  if (a.networks !== null) NETWORKS = a.networks.split(',');
  if (a.seeds !== null) SEEDS = a.seeds.split(',').map(Number);
  return a;
}

function record(out, rec) {
  mkdirSync(dirname(out), { recursive: true });
  appendFileSync(out, JSON.stringify(rec) + '\n');
  console.error(JSON.stringify(rec));
}

/** One `plstm forecast backtest` per seed (all networks in it; seasonal naive with seed 1). */
function runCli(name, cfg, out) {
  // with refits: how many trainings the backtest ran (one per refitEvery origins)
  const trainings = cfg.refitEvery === undefined ? {}
    : { refitEvery: cfg.refitEvery, trainings: Math.ceil((cfg.testSize - cfg.horizon + 1) / cfg.refitEvery) };
  for (const seed of SEEDS) {
    const models = seed === SEEDS[0] && cfg.baselines !== false ? [...NETWORKS, 'snaive'] : NETWORKS;
    const args = ['forecast', 'backtest', '--data', cfg.data, ...cfg.flags, '--models', models.join(','), '--seed', String(seed), '--json'];
    console.error(`$ plstm ${args.join(' ')}`);
    const r = spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`plstm exited ${r.status}: ${r.stderr.trim()}`);
    for (const line of r.stdout.trim().split('\n')) {
      const m = JSON.parse(line);
      record(out, { series: name, model: m.model, seed: m.model === 'snaive' ? null : seed, MAE: m.MAE, RMSE: m.RMSE, sMAPE: m.sMAPE, MAPE: m.MAPE, MASE: m.MASE, trainSeconds: m.trainSeconds ?? null, ...(m.model === 'snaive' ? {} : trainings) });
    }
  }
}

let mstlReady = false;
/** MSTL with an AutoETS trend (augurs), fitted on values[0 .. origin), forecasting h steps. */
function mstlForecast(values, origin, h, periods) {
  if (!mstlReady) {
    initMstl({ module: readFileSync(join(dirname(require.resolve('@bsull/augurs/mstl')), 'mstl_bg.wasm')) });
    mstlReady = true;
  }
  const model = MSTL.ets(periods);
  try {
    model.fit(Float64Array.from(values.subarray(0, origin)));
    return Float64Array.from(model.predict(h).point);
  } finally {
    model.free();
  }
}

/** MSTL + ETS refitted at every origin of the CLI's backtest, scored with the library's metrics. */
function runMstl(name, cfg, out) {
  const [ser] = forecast.readSeriesCsv(readFileSync(cfg.data), cfg.csv);
  const T = ser.values.length, H = cfg.horizon;
  const origins = forecast.testOrigins(T, cfg.testSize, 1, H, 1, ser.id);
  const scale = forecast.maseScale(ser.values, T - cfg.testSize, cfg.season);
  const acc = new forecast.MetricAccumulator(H);
  const t0 = performance.now();
  for (const o of origins) acc.add(ser.values.subarray(o, o + H), mstlForecast(ser.values, o, H, cfg.mstl), scale);
  const m = acc.overall();
  record(out, { series: name, model: 'mstl-ets', seed: null, MAE: m.MAE, RMSE: m.RMSE, sMAPE: m.sMAPE, MAPE: m.MAPE, MASE: m.MASE, periods: cfg.mstl, seconds: (performance.now() - t0) / 1000 });
}

/**
 * Darts' RNN example on the sunspots: the series up to December 1983; training part up to
 * October 1940; forecasts of 36 months from November 1940 on, every 10 months, while they fit;
 * only each forecast's 36th month is kept; MAPE on values min-max scaled by the training part.
 */
async function runDarts(file, out) {
  const text = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '' && Number(l.split(';')[0]) <= 1983).join('\n');
  const [ser] = forecast.readSeriesCsv(text, { time: '3', target: '4' });
  const y = ser.values, T = y.length;
  const trainEnd = (1940 - 1749) * 12 + 10; // Jan 1749 .. Oct 1940
  const H = 36, stride = 10, lookback = 125;
  const origins = [];
  for (let o = trainEnd; o + H <= T; o += stride) origins.push(o);
  let lo = Infinity, hi = -Infinity;
  for (let t = 0; t < trainEnd; t++) { lo = Math.min(lo, y[t]); hi = Math.max(hi, y[t]); }
  const scaled = (v) => (v - lo) / (hi - lo);
  const mape = (last) => {
    let s = 0, n = 0;
    origins.forEach((o, w) => {
      const a = scaled(y[o + H - 1]);
      if (a !== 0) { s += Math.abs(a - scaled(last[w])) / Math.abs(a); n++; }
    });
    return { MAPE: (100 * s) / n, count: n, of: origins.length };
  };
  const base = { series: 'darts', origins: origins.length };
  for (const seed of SEEDS) {
    for (const cell of NETWORKS) {
      const fc = new forecast.Forecaster({ lookback, horizon: H, ...(cell === 'lstm-chrono' ? { cell: 'lstm', chrono: true } : { cell }), hidden: 32, epochs: 30, quantiles: null, calendar: false, seed, season: 132 });
      const t0 = performance.now();
      await fc.fit(ser, { trainEnd: () => trainEnd });
      const { point } = fc.forecastAt(ser, origins);
      record(out, { ...base, model: cell, seed, ...mape(origins.map((_, w) => point[w * H + H - 1])), trainSeconds: (performance.now() - t0) / 1000 });
      fc.dispose();
    }
  }
  record(out, { ...base, model: 'snaive', seed: null, ...mape(origins.map((o) => forecast.seasonalNaiveForecast(y.subarray(0, o), H, [132])[H - 1])) });
  for (const period of [120, 132]) {
    record(out, { ...base, model: `mstl-ets-${period}`, seed: null, ...mape(origins.map((o) => mstlForecast(y, o, H, [period])[H - 1])) });
  }
}

const LABELS = { plstm: 'pLSTM', lstm: 'LSTM', 'lstm-chrono': 'chrono LSTM', snaive: 'seasonal naive', 'mstl-ets': 'MSTL + ETS (augurs)',
  'mstl-ets-120': 'MSTL + ETS (augurs), period 120', 'mstl-ets-132': 'MSTL + ETS (augurs), period 132' };

function meanSd(xs, digits) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return mean.toFixed(digits);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

function table(out) {
  const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const names = [...new Set(recs.map((r) => r.series))];
  for (const name of names) {
    const rs = recs.filter((r) => r.series === name);
    const cols = name === 'darts' ? ['MAPE'] : ['MAE', 'RMSE', 'sMAPE', 'MASE'];
    console.log(`\n${name}\n\n| model | seeds | ${cols.join(' | ')} |\n|---|---:|${cols.map(() => '---:').join('|')}|`);
    for (const model of Object.keys(LABELS).filter((m) => rs.some((r) => r.model === m))) {
      const ms = rs.filter((r) => r.model === model);
      const cells = cols.map((c) => meanSd(ms.map((r) => r[c]), c === 'MASE' ? 3 : 2));
      console.log(`| ${LABELS[model] ?? model} | ${ms[0].seed === null ? '-' : ms.length} | ${cells.join(' | ')} |`);
    }
  }
}

const args = parseArgs(process.argv.slice(2));
if (args.cmd === 'table') {
  table(args.out);
} else if (args.cmd === 'run') {
  if (!existsSync('dist/cli/main.js')) throw new Error('run `npm run build` first');
  const needsSunspots = args.only.some((n) => n.startsWith('sunspots') || n === 'darts');
  if (needsSunspots && args.sunspots === null) throw new Error('give --sunspots PATH (SILSO\'s SN_m_tot_V2.0.csv)');
  const cfgs = seriesConfigs(args.sunspots);
  if (args.baselines === 'no') for (const cfg of Object.values(cfgs)) cfg.baselines = false;
  for (const name of args.only) {
    if (name === 'darts') { await runDarts(args.sunspots, args.out); continue; }
    const cfg = cfgs[name];
    if (cfg === undefined) throw new Error(`unknown series ${name}: ${ALL_SERIES.join(', ')}`);
    if (cfg.baselines !== false) runMstl(name, cfg, args.out);
    runCli(name, cfg, args.out);
  }
} else {
  throw new Error('usage: forecast-experiments.mjs run --sunspots FILE [--only LIST] [--out FILE] | table [--out FILE]');
}
