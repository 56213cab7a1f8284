// `plstm forecast` as a user runs it: every bad-data case ends in one line naming the row and
// column with exit code 2 and nothing written; backtest --json prints one line per model and
// nothing else; fit writes its files and predict forecasts after the end of the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'plstm-forecast-'));

function plstm(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'forecast', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A daily CSV with a weekly pattern; edit(lines) may break it. */
function csv(name: string, n: number, edit: (lines: string[]) => void = () => {}): string {
  const lines = ['date,sales,store'];
  for (let i = 0; i < n; i++) {
    const d = new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${d},${(10 + 3 * Math.sin((2 * Math.PI * i) / 7) + (i % 3)).toFixed(2)},a`);
  }
  edit(lines);
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** backtest of the daily CSV with the small settings these tests share: 7-step horizon, season 7, 28 test steps, stride 7. */
const backtestArgs = (data: string, lookback: number, epochs: number, extra: string[] = []) =>
  ['backtest', '--data', data, '--time', 'date', '--target', 'sales', '--lookback', String(lookback), '--horizon', '7',
    '--season', '7', '--test-size', '28', '--stride', '7', '--epochs', String(epochs), '--hidden', '4', ...extra, '--json'];

/** A refused command: exit 2, the message on stderr, nothing on stdout. */
function refused(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2);
  assert.match(r.stderr, pattern);
  assert.equal(r.stdout, '');
}

const fitArgs = (data: string, out: string, extra: string[] = []) =>
  ['fit', '--data', data, '--time', 'date', '--target', 'sales', '--lookback', '14', '--horizon', '7', '--epochs', '1', '--hidden', '4', '--out', out, ...extra];

function badData(name: string, file: string, pattern: RegExp, extra: string[] = []): void {
  test(`bad data: ${name}`, () => {
    const out = join(dir, `out-${name.replace(/\W+/g, '-')}`);
    const r = plstm(fitArgs(file, out, extra));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(out), false, 'nothing written');
  });
}

badData('missing value', csv('missing.csv', 60, (l) => { l[10] = l[10].replace(/,[\d.]+,/, ',,'); }),
  /row 11, column sales: missing value.*--fill interpolate/);
badData('non-numeric cell', csv('text.csv', 60, (l) => { l[20] = l[20].replace(/,[\d.]+,/, ',abc,'); }),
  /row 21, column sales: "abc" is not a number/);
badData('duplicate timestamp', csv('dup.csv', 60, (l) => { l[31] = l[30]; }), /row 32, column date: duplicate time.*row 31/);
badData('unsorted timestamps', csv('unsorted.csv', 60, (l) => { [l[40], l[41]] = [l[41], l[40]]; }), /row 42, column date: time goes backwards.*sort/);
badData('missing step', csv('gap.csv', 60, (l) => { l.splice(25, 1); }), /row 26, column date: 1 missing step.*--fill interpolate/);
badData('series shorter than the seasonal frame + horizon', csv('short.csv', 25),
  /18 training steps, fewer than the 16 steps of history a window's seasonal frame reads \+ horizon = 23; lower --lookback, --horizon or --seasons or give more data/);
badData('series shorter than lookback + horizon', csv('short.csv', 25), /18 training steps, fewer than lookback \+ horizon = 21/, ['--normalize', 'series']);
badData('unknown column', csv('ok.csv', 60), /unknown target column "price": the columns are "date", "sales", "store"/, ['--target', 'price']);
badData('empty file', (() => { const p = join(dir, 'empty.csv'); writeFileSync(p, ''); return p; })(), /empty\.csv is empty/);
badData('bad date', csv('date.csv', 60, (l) => { l[5] = l[5].replace(/^[^,]+/, 'someday'); }), /row 6, column date: "someday" is not a date/);

/** csv() with a numeric past covariate column `promo` after `store`. */
function csvPromo(name: string, n: number, edit: (lines: string[]) => void = () => {}): string {
  return csv(name, n, (l) => {
    l.forEach((line, i) => { l[i] = i === 0 ? `${line},promo` : `${line},${i % 5}`; });
    edit(l);
  });
}
badData('unknown covariate column', csv('ok-cov.csv', 60), /unknown covariate column "temp": the columns are "date", "sales", "store"/, ['--covariates', 'temp']);
badData('non-numeric covariate cell', csv('ok-store.csv', 60), /row 2, column store: "a" is not a number/, ['--covariates', 'store']);
badData('missing covariate value', csvPromo('promo-missing.csv', 60, (l) => { l[12] = l[12].replace(/,\d$/, ','); }),
  /row 13, column promo: missing value.*--fill interpolate/, ['--covariates', 'promo']);

test('--covariates: fit feeds the columns, predict reads the ones named in the model file', () => {
  const data = csvPromo('promo.csv', 80);
  const out = join(dir, 'fit-promo');
  const r = plstm(fitArgs(data, out, ['--covariates', 'promo']));
  assert.equal(r.code, 0, r.stderr);
  const pred = join(dir, 'pred-promo.csv');
  const p = plstm(['predict', '--model', join(out, 'model.safetensors'), '--data', data, '--out', pred]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(readFileSync(pred, 'utf8').trim().split('\n').length, 1 + 7);
  // data without the column the model was trained with
  const noPromo = plstm(['predict', '--model', join(out, 'model.safetensors'), '--data', csv('no-promo.csv', 80), '--out', join(dir, 'pred-no-promo.csv')]);
  assert.equal(noPromo.code, 2);
  assert.match(noPromo.stderr, /unknown covariate column "promo"/);
});

test('--fill interpolate repairs a missing value and a missing step; fit writes its files, predict forecasts after the end', () => {
  const data = csv('holes.csv', 80, (l) => { l[10] = l[10].replace(/,[\d.]+,/, ',,'); l.splice(30, 1); });
  const out = join(dir, 'fit-out');
  const r = plstm(fitArgs(data, out, ['--fill', 'interpolate']));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['forecast.csv', 'metrics.json', 'model.safetensors', 'plot.png', 'plot.svg']);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.deepEqual(metrics.models.map((m: { model: string }) => m.model), ['plstm', 'snaive']);
  assert.ok(readFileSync(join(out, 'plot.svg'), 'utf8').startsWith('<svg'));
  // again without --force: refused, files untouched
  const before = readFileSync(join(out, 'metrics.json'), 'utf8');
  const again = plstm(fitArgs(data, out, ['--fill', 'interpolate']));
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists: choose another path or pass --force/);
  assert.equal(readFileSync(join(out, 'metrics.json'), 'utf8'), before);

  const pred = join(dir, 'pred.csv');
  const p = plstm(['predict', '--model', join(out, 'model.safetensors'), '--data', data, '--fill', 'interpolate', '--horizon', '3', '--out', pred]);
  assert.equal(p.code, 0, p.stderr);
  const lines = readFileSync(pred, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'time,forecast,q0.1,q0.5,q0.9');
  // the data's last day is 2022-03-21 (80 days from 2022-01-01, one removed then filled back)
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), ['2022-03-22', '2022-03-23', '2022-03-24']);
  for (const l of lines.slice(1)) {
    const [, , lo, mid, hi] = l.split(',').map(Number);
    assert.ok(lo <= mid && mid <= hi, l);
  }
  const tooFar = plstm(['predict', '--model', join(out, 'model.safetensors'), '--data', data, '--fill', 'interpolate', '--horizon', '8', '--out', join(dir, 'p2.csv')]);
  assert.equal(tooFar.code, 2);
  assert.match(tooFar.stderr, /horizon 8 is outside 1\.\.7/);
});

test('backtest --json: one line per model with the metrics, nothing else on stdout', () => {
  const data = csv('bt.csv', 120);
  const r = plstm(backtestArgs(data, 14, 1, ['--models', 'plstm,snaive,naive,drift']));
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.model), ['plstm', 'snaive', 'naive', 'drift']);
  for (const l of lines) for (const k of ['MAE', 'RMSE', 'sMAPE', 'MASE']) assert.equal(typeof l[k], 'number', `${l.model} ${k}`);
  // the series repeats every 21 days: its seasonal-naive error at m = 21 is 0, so MASE has no scale
  const exact = plstm(['backtest', '--data', data, '--time', 'date', '--target', 'sales', '--lookback', '21', '--horizon', '7',
    '--season', '21', '--test-size', '28', '--models', 'snaive', '--json']);
  refused(exact, /MASE is undefined.*period 21.*another --season/);
  const bad = plstm(['backtest', '--data', data, '--time', 'date', '--target', 'sales', '--lookback', '14', '--horizon', '7', '--test-size', '28', '--models', 'arima']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown model "arima"/);
});

test('backtest --refit-every --window fixed --json: the same keys; a bad --window exits 2', () => {
  const data = csv('bt-refit.csv', 120);
  const args = backtestArgs(data, 14, 1, ['--models', 'plstm']);
  const once = plstm(args), refit = plstm([...args, '--refit-every', '2', '--window', 'fixed']);
  assert.equal(refit.code, 0, refit.stderr);
  const [a, b] = [once, refit].map((r) => JSON.parse(r.stdout.trim()));
  assert.deepEqual(Object.keys(b), Object.keys(a));
  assert.notEqual(b.MAE, a.MAE); // the later origins come from a refitted model
  refused(plstm([...args, '--refit-every', '2', '--window', 'sliding']), /--window must be expanding or fixed/);
});

test('backtest --mode stateful --json: one line per model; an unknown mode exits 2', () => {
  const data = csv('bt-stateful.csv', 120);
  const args = backtestArgs(data, 30, 2);
  const r = plstm([...args, '--mode', 'stateful', '--models', 'plstm,lstm']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.model), ['plstm', 'lstm']);
  for (const l of lines) for (const k of ['MAE', 'RMSE', 'sMAPE', 'MASE']) assert.ok(Number.isFinite(l[k]), `${l.model} ${k}`);
  refused(plstm([...args, '--mode', 'sideways', '--models', 'plstm']), /--mode must be windowed or stateful/);
});

test('backtest --normalize window: one line per model; an unknown value or stateful mode exits 2', () => {
  const data = csv('bt-window.csv', 120);
  const args = backtestArgs(data, 14, 1, ['--models', 'plstm']);
  const r = plstm([...args, '--normalize', 'window']);
  assert.equal(r.code, 0, r.stderr);
  const [line] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(Number.isFinite(line.MASE), r.stdout);
  const bad = plstm([...args, '--normalize', 'level']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--normalize must be seasonal, series or window/);
  refused(plstm([...args, '--seasons', '24,x']), /--seasons must be whole numbers/);
  refused(plstm([...args, '--schedule', 'linear']), /--schedule must be cosine or constant/);
  refused(plstm([...args, '--max-steps', '0']), /max-steps/);
  refused(plstm([...args, '--normalize', 'window', '--mode', 'stateful']), /normalize 'window' is for windowed mode/);
});

test('a file in the SILSO sunspot format (";"-separated, padded, no header, decimal years) reads by column number', () => {
  // the layout of SILSO's SN_m_tot_V2.0.csv (year; month; decimal year; value; sd; count; flag), with
  // a made-up 11-year cycle: the real file's licence does not allow shipping it
  const S = join(dir, 'silso-format.csv');
  const rows: string[] = [];
  for (let i = 0; i < 600; i++) {
    const year = 1749 + Math.floor(i / 12), month = (i % 12) + 1;
    const value = 80 + 70 * Math.sin((2 * Math.PI * i) / 132);
    rows.push(`${year};${String(month).padStart(2, '0')};${(year + (month - 0.5) / 12).toFixed(3)};${value.toFixed(1).padStart(6)}; -1.0;   -1;1`);
  }
  writeFileSync(S, rows.join('\n') + '\n');
  const r = plstm(['backtest', '--data', S, '--time', '3', '--target', '4', '--lookback', '12', '--horizon', '6', '--season', '12',
    '--test-size', '60', '--stride', '6', '--models', 'snaive,naive', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 2);
});

test('cell flags: --eps and --p-init/--p-range reach the saved pLSTM, --forget-bias the LSTM; bad or misplaced values exit 2', async () => {
  const { Forecaster } = await import('../src/forecast/index.js');
  const data = csv('cell-flags.csv', 60);
  const out = join(dir, 'fit-cell-flags');
  const r = plstm(fitArgs(data, out, ['--eps', '0.05', '--p-init', 'range', '--p-range', '-2,1']));
  assert.equal(r.code, 0, r.stderr);
  const fc = Forecaster.fromBytes(readFileSync(join(out, 'model.safetensors')));
  assert.deepEqual(fc.sequenceModel.config.layers[0], { cell: 'plstm', hidden: 4, eps: 0.05, pInit: { mode: 'range', lo: -2, hi: 1 }, reverse: false, bidirectional: false, dropout: 0 });
  fc.dispose();
  const outL = join(dir, 'fit-cell-flags-lstm');
  const l = plstm(fitArgs(data, outL, ['--cell', 'lstm', '--forget-bias', '1.5']));
  assert.equal(l.code, 0, l.stderr);
  const fl = Forecaster.fromBytes(readFileSync(join(outL, 'model.safetensors')));
  assert.equal((fl.sequenceModel.config.layers[0] as { forgetBias: number }).forgetBias, 1.5);
  assert.equal(fl.settings.forgetBias, 1.5);
  fl.dispose();
  const bad = (extra: string[], pattern: RegExp, args = fitArgs(data, join(dir, 'fit-cell-flags-bad'), extra)) => {
    const b = plstm(args);
    assert.equal(b.code, 2, b.stderr);
    assert.equal(b.stderr.trim().split('\n').length, 1, `one line: ${b.stderr}`);
    assert.match(b.stderr, pattern);
  };
  bad(['--eps', '2'], /--eps must be a number in \(0, 1\), got 2/);
  bad(['--cell', 'lstm-chrono', '--forget-bias', '1'], /--forget-bias is a setting of --cell lstm .*this run uses --cell lstm-chrono/);
  bad([], /--eps is a pLSTM setting; --models has no plstm/, ['backtest', '--data', data, '--time', 'date', '--target', 'sales', '--lookback', '14',
    '--horizon', '7', '--test-size', '14', '--models', 'lstm,snaive', '--eps', '0.01']);
});

test('backtest --models with a name that is neither a cell nor a baseline: one line naming every choice, exit 2', () => {
  const data = csv('bt-bad-model.csv', 60);
  const r = plstm(['backtest', '--data', data, '--time', 'date', '--target', 'sales', '--lookback', '14', '--horizon', '7', '--test-size', '14',
    '--models', 'snaive,bogus', '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /unknown model "bogus" in --models: use plstm, lstm, lstm-chrono, naive, snaive, drift, naive2, ets, mstl-ets$/m);
});
