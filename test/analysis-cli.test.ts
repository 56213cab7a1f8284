// `plstm analyze` and `plstm report` as a user runs them, on tiny runs: every picture checked
// as a file (SVG that parses, PNG signature and size), the HTML report rendered in headless
// Chromium with every image loaded and no console error, and each bad input ending in one
// line, exit code 2 and nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CHROMIUM_FLAGS, withPage } from './support/browser.js';
import { skipUnless } from './support/requirements.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'plstm-analyze-'));

function plstm(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function trainRun(name: string, cell: string, task = ['--task', 'copy', '--delay', '5']): string {
  const out = join(dir, name);
  const r = plstm(['train', ...task, '--cell', cell, '--epochs', '1', '--train-samples', '64', '--test-samples', '32',
    '--hidden', '8', '--batch', '16', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

/** Checks an SVG and its PNG: the SVG parses as XML, the PNG has the signature and the SVG's size. */
function checkPlot(svgPath: string): void {
  const svg = readFileSync(svgPath, 'utf8');
  assert.equal(XMLValidator.validate(svg), true, `${svgPath} is not valid XML`);
  const root = new XMLParser({ ignoreAttributes: false }).parse(svg).svg as Record<string, string>;
  const width = Number(root['@_width']), height = Number(root['@_height']);
  assert.ok(width > 0 && height > 0, `${svgPath}: size ${width} x ${height}`);
  const png = readFileSync(svgPath.replace(/\.svg$/, '.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  assert.equal(png.readUInt32BE(16), Math.round(width), `${svgPath}: PNG width`);
  assert.equal(png.readUInt32BE(20), Math.round(height), `${svgPath}: PNG height`);
}

let plstmRun = '', lstmRun = '';
/** The reports the report tests wrote, for the one test that renders them in Chromium. */
const reports: { html: string; images: number; tables: number }[] = [];

test('plstm analyze writes every plot as SVG and PNG and the numbers as analysis.json', () => {
  plstmRun = trainRun('run-plstm', 'plstm');
  lstmRun = trainRun('run-lstm', 'lstm');
  const out = join(dir, 'analysis-plstm');
  const r = plstm(['analyze', join(plstmRun, 'best.safetensors'), '--out', out, '--samples', '8', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  const data = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
  assert.equal(data.cell, 'plstm');
  assert.equal(data.sequences, 8);
  assert.equal(data.decay.start, 10, 'copy: the change comes after the 10 symbols');
  const svgs = readdirSync(out).filter((f) => f.endsWith('.svg'));
  assert.deepEqual(svgs.map((f) => f.replace(/\.svg$/, '')).sort(), [...summary.plots].sort());
  assert.deepEqual(data.plots.map((p: { name: string }) => p.name).sort(), [...summary.plots].sort());
  for (const want of ['decay-equations', 'decay-equations-loglog', 'measured-decay-layer0', 'p-sorted-layer0', 'p-histogram-layer0', 'reset-intervals-layer0', 'gates-layer0-r', 'gates-layer0-a', 'gates-layer0-f', 'gates-layer0-c', 'ablation-layer0']) {
    assert.ok(svgs.includes(`${want}.svg`), `${want}.svg is missing`);
  }
  for (const f of svgs) checkPlot(join(out, f));
  // a second run into the same folder needs --force
  const again = plstm(['analyze', join(plstmRun, 'best.safetensors'), '--out', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds an analysis; use --force/);
});

test('plstm analyze on an LSTM: timescales per unit instead of p', () => {
  const out = join(dir, 'analysis-lstm');
  const r = plstm(['analyze', join(lstmRun, 'last.safetensors'), '--out', out, '--samples', '4', '--no-ablation']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(out, 'timescales-layer0.svg')));
  assert.ok(!existsSync(join(out, 'ablation-layer0.svg')), '--no-ablation');
  checkPlot(join(out, 'timescales-layer0.svg'));
});

test('plstm analyze on a forecaster of plstm forecast fit: windows of the series it names, or --data', () => {
  const lines = ['date,sales'];
  for (let i = 0; i < 80; i++) lines.push(`${new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${(10 + 3 * Math.sin((2 * Math.PI * i) / 7) + (i % 3)).toFixed(2)}`);
  const csv = join(dir, 'sales.csv');
  writeFileSync(csv, lines.join('\n') + '\n');
  const model = join(dir, 'fc', 'model.safetensors'); // forecast fit --out is a folder
  const fit = plstm(['forecast', 'fit', '--data', csv, '--time', 'date', '--target', 'sales', '--lookback', '14', '--horizon', '7', '--epochs', '1', '--hidden', '4', '--out', join(dir, 'fc')]);
  assert.equal(fit.code, 0, fit.stderr);
  const out = join(dir, 'analysis-fc');
  const r = plstm(['analyze', model, '--out', out, '--samples', '6']);
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8'));
  assert.equal(data.steps, 14);
  assert.equal(data.sequences, 6);
  assert.equal(data.ablation[0].metric, 'loss');
  checkPlot(join(out, 'measured-decay-layer0.svg'));
  // the named CSV gone: --data finds the series
  const moved = join(dir, 'sales-moved.csv');
  writeFileSync(moved, readFileSync(csv));
  writeFileSync(csv, 'nothing here\n');
  const bad = plstm(['analyze', model, '--out', join(dir, 'analysis-fc2'), '--no-ablation', '--data', join(dir, 'missing.csv')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /cannot read .*missing\.csv/);
  const ok = plstm(['analyze', model, '--out', join(dir, 'analysis-fc3'), '--no-ablation', '--data', moved]);
  assert.equal(ok.code, 0, ok.stderr);
});

/** Opens an HTML report in headless Chromium: every image loaded, no console error; returns its image and table counts. */
async function renderInChromium(html: string): Promise<{ images: number; tables: number }> {
  return withPage(CHROMIUM_FLAGS, async (page, problems) => {
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    const images = await page.$$eval('img', (els) => els.map((e) => {
      const img = e as HTMLImageElement;
      const box = img.getBoundingClientRect();
      return { alt: img.alt, complete: img.complete, natural: img.naturalWidth, w: box.width, h: box.height };
    }));
    for (const im of images) assert.ok(im.complete && im.natural > 0 && im.w > 0 && im.h > 0, `image ${im.alt} did not load: ${JSON.stringify(im)}`);
    const tables = await page.$$eval('table', (els) => els.length);
    assert.deepEqual(problems, []);
    return { images: images.length, tables };
  }, { failedRequests: true });
}

/** The report's images: every one a PNG data URI (small, unlike a heatmap's SVG), none a link. */
function checkEmbedded(text: string, count: number): void {
  assert.ok(!/src="(?!data:)/.test(text), 'every image is a data URI');
  const uris = [...text.matchAll(/<img src="(data:[^;]+);base64,([^"]+)"/g)];
  assert.equal(uris.length, count, 'one embedded image per plot written beside it');
  for (const [, type, b64] of uris) {
    assert.equal(type, 'data:image/png');
    assert.deepEqual([...Buffer.from(b64.slice(0, 12), 'base64').subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  }
}

test('plstm report: one self-contained HTML file with every image embedded, plots beside it', async () => {
  const html = join(dir, 'report', 'runs.html');
  const r = plstm(['report', plstmRun, lstmRun, '--out', html, '--samples', '4']);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(html, 'utf8');
  const plotDir = join(dir, 'report', 'runs-plots');
  const svgs = readdirSync(plotDir).filter((f) => f.endsWith('.svg'));
  assert.ok(svgs.includes('training-primary.svg') && svgs.includes('run1-measured-decay-layer0.svg') && svgs.includes('run2-timescales-layer0.svg'));
  for (const f of svgs) checkPlot(join(plotDir, f));
  checkEmbedded(text, svgs.length);
  // the page is smaller than its pictures as SVG (the heatmaps' SVGs dominate them)
  const svgBytes = svgs.reduce((n, f) => n + readFileSync(join(plotDir, f)).length, 0);
  assert.ok(text.length < svgBytes, `report ${text.length} bytes, its SVGs ${svgBytes}`);
  reports.push({ html, images: svgs.length, tables: 4 }); // configuration and metric tables of both runs
});

test('plstm report on runs of plstm forecast fit: per-epoch losses recorded, scores and analysis of each model', async () => {
  const lines = ['date,sales'];
  for (let i = 0; i < 80; i++) lines.push(`${new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${(10 + 3 * Math.sin((2 * Math.PI * i) / 7) + (i % 3)).toFixed(2)}`);
  const csv = join(dir, 'sales-report.csv');
  writeFileSync(csv, lines.join('\n') + '\n');
  const fits = ['plstm', 'lstm'].map((cell) => {
    const out = join(dir, `fc-${cell}`);
    const fit = plstm(['forecast', 'fit', '--data', csv, '--time', 'date', '--target', 'sales', '--lookback', '14', '--horizon', '7',
      '--epochs', '3', '--hidden', '4', '--cell', cell, '--out', out]);
    assert.equal(fit.code, 0, fit.stderr);
    return out;
  });
  const metrics = JSON.parse(readFileSync(join(fits[0], 'metrics.json'), 'utf8'));
  assert.deepEqual(metrics.history.map((h: { epoch: number }) => h.epoch), [1, 2, 3], 'one line per epoch');
  for (const h of metrics.history) assert.ok(Number.isFinite(h.train_loss) && h.train_loss > 0 && h.global_step > 0);
  assert.equal(metrics.history[2].global_step, 3 * metrics.history[0].global_step);
  const html = join(dir, 'report-fc', 'forecasts.html');
  const r = plstm(['report', ...fits, '--out', html, '--samples', '4', '--no-ablation']);
  assert.equal(r.code, 0, r.stderr);
  const plotDir = join(dir, 'report-fc', 'forecasts-plots');
  const svgs = readdirSync(plotDir).filter((f) => f.endsWith('.svg'));
  assert.ok(svgs.includes('training-loss.svg') && svgs.includes('run1-p-sorted-layer0.svg') && svgs.includes('run2-timescales-layer0.svg'), svgs.join(' '));
  assert.ok(!svgs.includes('training-primary.svg'), 'a forecaster\'s primary metric is its loss: drawn once');
  for (const f of svgs) checkPlot(join(plotDir, f));
  const text = readFileSync(html, 'utf8');
  checkEmbedded(text, svgs.length);
  assert.match(text, /Scores on the held-out part/);
  assert.match(text, /snaive/, 'the seasonal naive baseline\'s scores are in the table');
  reports.push({ html, images: svgs.length, tables: 6 }); // configuration, per-epoch and score tables of both runs
  // train runs and forecast runs together: refused, one line
  const mixed = join(dir, 'mixed-kinds.html');
  refused(['report', plstmRun, fits[0], '--out', mixed], mixed, /runs of plstm train and of plstm forecast fit cannot share a training-curve plot/);
  // a forecast folder without per-epoch losses (written before they were recorded)
  const old = join(dir, 'fc-old');
  mkdirSync(old);
  writeFileSync(join(old, 'model.safetensors'), readFileSync(join(fits[0], 'model.safetensors')));
  const { history: _h, ...rest } = metrics;
  writeFileSync(join(old, 'metrics.json'), JSON.stringify(rest));
  refused(['report', old, '--out', mixed], mixed, /has no per-epoch losses \("history"\); fit the model again/);
});

test('both reports render in headless Chromium: every plot written beside them shows, the tables are there, no console error', { skip: skipUnless('chromium') }, async () => {
  assert.equal(reports.length, 2, 'the two report tests above wrote their reports');
  for (const r of reports) {
    const page = await renderInChromium(r.html);
    assert.equal(page.images, r.images, `${r.html}: the page shows every plot written beside it`);
    assert.ok(page.tables >= r.tables, `${r.html}: ${page.tables} tables, want at least ${r.tables}`);
  }
});

/** A bad input: exit 2, one line on stderr matching `pattern`, no stack, nothing at `out`. */
function refused(args: string[], out: string, pattern: RegExp): void {
  const r = plstm(args);
  assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
  assert.ok(!existsSync(out), `${out} was written`);
}

test('bad input: one line, exit 2, nothing written', () => {
  const out = join(dir, 'bad-out');
  const html = join(dir, 'bad.html');
  refused(['report', join(dir, 'no-such-run'), '--out', html], html, /run folder .*no-such-run does not exist/);
  const notModel = join(dir, 'not-a-model.safetensors');
  writeFileSync(notModel, 'hello, I am text');
  refused(['analyze', notModel, '--out', out], out, /not-a-model\.safetensors/);
  refused(['analyze', join(plstmRun, 'best.safetensors'), '--out', out, '--task', 'adding'], out, /checkpoint of task copy, not adding/);
  // a run folder whose checkpoint belongs to another task than its config says
  const mixed = join(dir, 'mixed');
  mkdirSync(mixed);
  const adding = trainRun('run-adding', 'plstm', ['--task', 'adding', '--delay', '10']);
  writeFileSync(join(mixed, 'config.json'), readFileSync(join(plstmRun, 'config.json')));
  writeFileSync(join(mixed, 'metrics.jsonl'), readFileSync(join(plstmRun, 'metrics.jsonl')));
  writeFileSync(join(mixed, 'best.safetensors'), readFileSync(join(adding, 'best.safetensors')));
  refused(['report', mixed, '--out', html], html, /checkpoint of task adding, not copy/);
  refused(['report', plstmRun, adding, '--out', html], html, /different tasks \(copy, adding\)/);
  // a run that has not finished an epoch yet
  const fresh = join(dir, 'fresh');
  mkdirSync(fresh);
  writeFileSync(join(fresh, 'config.json'), readFileSync(join(plstmRun, 'config.json')));
  writeFileSync(join(fresh, 'metrics.jsonl'), '');
  refused(['report', fresh, '--out', html], html, /has no metrics yet/);
  refused(['report', plstmRun, '--out', join(dir, 'x.txt')], join(dir, 'x.txt'), /--out must name an \.html file/);
  refused(['analyze', join(plstmRun, 'best.safetensors')], out, /--out is required/);
});
