// `plstm report RUN_DIR... --out FILE.html`: one self-contained HTML page (every picture a
// PNG data URI: it opens offline, from a disk, with no server) with the training curves of
// all runs overlaid, each run's configuration and metrics, and the analysis pictures of each
// run's best (else last) checkpoint. RUN_DIR is a run of plstm train or the --out folder of
// plstm forecast fit (not both kinds in one report). The same pictures go beside it as SVG and
// PNG files in FILE-plots/.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, DataError } from '../errors.js';
import { RUN_FILES, readMetrics } from '../experiments/run-dir.js';
import { refuseOverwrite, writeFilesAtomic } from '../node/write-atomic.js';
import { describeFit, trainingCurvePlots } from '../analysis/report-plots.js';
import { analyzeCheckpoint, plotFiles, renderPlots, type CheckpointAnalysis, type RenderedPlot } from './analysis-files.js';
import { UsageError } from './usage-error.js';

/** One run folder, checked and read. */
interface Run {
  dir: string;
  /** Short label: cell and folder name. */
  label: string;
  /** 'train' for a run of plstm train, 'forecast' for an --out folder of plstm forecast fit. */
  kind: 'train' | 'forecast';
  options: Record<string, unknown>;
  /** Epoch lines ({ type: 'epoch', epoch, train_loss, ... }), as plstm train writes them. */
  records: Record<string, unknown>[];
  /** The final numbers: one row (plstm train) or one row per model scored (forecast fit). */
  final: Record<string, unknown>[] | null;
  checkpoint: string;
}

/** The files of an --out folder of plstm forecast fit that the report reads. */
const FORECAST_FILES = { model: 'model.safetensors', metrics: 'metrics.json' };

const folderName = (dir: string) => basename(dir.replace(/[\\/]+$/, '')) || dir;

/** Reads and checks a run folder of plstm train or plstm forecast fit; one clear error for each way it can be wrong. */
function readRun(dir: string): Run {
  if (!existsSync(dir)) throw new DataError(`run folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new DataError(`${dir} is a file, not a run folder of plstm train or plstm forecast fit`);
  const cfgFile = join(dir, RUN_FILES.config);
  if (!existsSync(cfgFile)) {
    if (existsSync(join(dir, FORECAST_FILES.model)) || existsSync(join(dir, FORECAST_FILES.metrics))) return readForecastRun(dir);
    throw new DataError(`${dir} is not a run folder of plstm train (no ${RUN_FILES.config}) nor of plstm forecast fit (no ${FORECAST_FILES.model})`);
  }
  let options: Record<string, unknown>;
  try {
    options = (JSON.parse(readFileSync(cfgFile, 'utf8')) as { options: Record<string, unknown> }).options;
  } catch {
    throw new DataError(`${cfgFile} is not the config of a run of plstm train (not JSON with "options")`);
  }
  if (typeof options?.task !== 'string') throw new DataError(`${cfgFile} does not name the run's task`);
  let records: Record<string, unknown>[];
  try {
    records = readMetrics(dir);
  } catch {
    throw new DataError(`${join(dir, RUN_FILES.metrics)} is not JSON lines: is it a run of plstm train?`);
  }
  if (!records.some((r) => r.type === 'epoch')) throw new DataError(`run ${dir} has no metrics yet (no finished epoch in ${RUN_FILES.metrics}); report it after its first epoch`);
  const best = join(dir, RUN_FILES.best), last = join(dir, RUN_FILES.last);
  const checkpoint = existsSync(best) ? best : existsSync(last) ? last : null;
  if (checkpoint === null) throw new DataError(`run ${dir} has no checkpoint (${RUN_FILES.best} or ${RUN_FILES.last})`);
  const finalFile = join(dir, RUN_FILES.final);
  let final: Record<string, unknown>[] | null = null;
  if (existsSync(finalFile)) {
    try { final = [JSON.parse(readFileSync(finalFile, 'utf8')) as Record<string, unknown>]; } catch { final = null; }
  }
  return { dir, kind: 'train', label: `${String(options.cell ?? 'model')} (${folderName(dir)})`, options, records, final, checkpoint };
}

/** An --out folder of plstm forecast fit: its model, its settings and scores, its per-epoch losses. */
function readForecastRun(dir: string): Run {
  const model = join(dir, FORECAST_FILES.model), metricsFile = join(dir, FORECAST_FILES.metrics);
  if (!existsSync(model)) throw new DataError(`${dir} has no ${FORECAST_FILES.model}: is it the --out folder of plstm forecast fit?`);
  if (!existsSync(metricsFile)) throw new DataError(`run ${dir} has no metrics yet (no ${FORECAST_FILES.metrics}); run plstm forecast fit to its end`);
  let metrics: { settings?: Record<string, unknown>; testSize?: unknown; season?: unknown; models?: Record<string, unknown>[]; history?: Record<string, unknown>[] };
  try {
    metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as typeof metrics;
  } catch {
    throw new DataError(`${metricsFile} is not JSON: is it the metrics of plstm forecast fit?`);
  }
  if (typeof metrics?.settings !== 'object' || metrics.settings === null || !Array.isArray(metrics.models)) {
    throw new DataError(`${metricsFile} is not the metrics of plstm forecast fit (no "settings" and "models")`);
  }
  if (!Array.isArray(metrics.history) || metrics.history.length === 0) {
    throw new DataError(`${metricsFile} has no per-epoch losses ("history"); fit the model again with this version of plstm forecast fit`);
  }
  const options = { task: 'forecast', ...metrics.settings, testSize: metrics.testSize, season: metrics.season };
  const records = metrics.history.map((r) => ({ type: 'epoch', ...r }));
  return { dir, kind: 'forecast', label: `${String(metrics.settings.cell ?? 'model')} (${folderName(dir)})`, options, records, final: metrics.models, checkpoint: model };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
// PNG, not SVG: a heatmap's SVG holds one element per cell (megabytes for 128 units), its PNG
// a few tens of kilobytes; the SVG files go beside the report for print and zoom
const pngUri = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
const figure = (p: RenderedPlot) => `<figure><img src="${pngUri(p.png)}" alt="${esc(p.name)}"><figcaption>${esc(p.caption)}</figcaption></figure>`;

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return `<table><thead><tr>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${keys.map((k) => `<td>${esc(cell(r[k]))}</td>`).join('')}</tr>`).join('') + '</tbody></table>';
}

function html(runs: Run[], analyses: CheckpointAnalysis[], curves: RenderedPlot[], primary: string): string {
  const sections = runs.map((r, i) => {
    const a = analyses[i];
    const epochs = r.records.filter((m) => m.type === 'epoch').map(({ type: _t, ...m }) => m);
    const decay = a.data.decay.layers.map((l) => `<li>layer ${l.layer}: longest-memory units: ${esc(describeFit(l.memoryFit))}; ${l.powerLawUnits} of ${l.units.length} units fit a power law better</li>`).join('');
    return `<section><h2>${esc(r.label)}</h2><p>${esc(a.describe)}. Checkpoint: ${esc(basename(r.checkpoint))}.</p>` +
      `<h3>Measured decay</h3><ul>${decay}</ul>` +
      `<details><summary>Configuration</summary>${table(Object.entries(r.options).map(([option, value]) => ({ option, value })))}</details>` +
      `<h3>Metrics per epoch</h3>${table(epochs)}` + (r.final ? `<h3>${r.kind === 'forecast' ? 'Scores on the held-out part' : 'Final'}</h3>${table(r.final)}` : '') +
      `<h3>Analysis</h3>${a.plots.map(figure).join('')}</section>`;
  }).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">` +
    `<title>plstm report: ${esc(runs.map((r) => r.label).join(', '))}</title><style>` +
    'body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}' +
    'table{border-collapse:collapse;font-size:13px;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}' +
    'figure{margin:1em 0}img{max-width:100%;height:auto}figcaption{font-size:13px;color:#555}section{border-top:2px solid #ddd;margin-top:2em}' +
    `</style></head><body><h1>Training report</h1><p>Task: ${esc(String(runs[0].options.task))}; ${runs.length} run(s); primary metric: ${esc(primary)}.</p>` +
    `<h2>Training curves</h2>${curves.map(figure).join('')}${sections}</body></html>\n`;
}

export function registerReport(program: Command): void {
  program.command('report')
    .description('one self-contained HTML report of runs of plstm train or of plstm forecast fit: training curves overlaid, configurations, metrics and the analysis of each best checkpoint; the plots also as SVG and PNG beside it')
    .argument('<runs...>', 'run folders of plstm train, or --out folders of plstm forecast fit')
    .option('--out <file>', 'the HTML file to write (required); the plots go to FILE-plots/ beside it')
    .option('--samples <n>', 'sequences to trace per model', '32')
    .option('--no-ablation', 'skip silencing units')
    .option('--force', 'replace an existing report')
    .action(async (dirs: string[], f: Record<string, unknown>) => {
      const out = f.out as string | undefined;
      if (!out) throw new UsageError('--out is required: the HTML file to write');
      if (!/\.html?$/i.test(out)) throw new UsageError(`--out must name an .html file, got "${out}"`);
      const samples = Number(f.samples);
      if (!Number.isSafeInteger(samples) || samples < 1) throw new UsageError(`--samples must be an integer >= 1, got "${String(f.samples)}"`);
      refuseOverwrite(out, Boolean(f.force));
      const runs = dirs.map(readRun);
      // one training-curve plot has one x axis and one metric: plstm train's epochs of a task and
      // a forecaster's epochs of its loss do not share them, so such a mix is refused
      if (new Set(runs.map((r) => r.kind)).size > 1) {
        throw new ConfigError('runs of plstm train and of plstm forecast fit cannot share a training-curve plot: report them separately');
      }
      const tasks = [...new Set(runs.map((r) => r.options.task as string))];
      if (tasks.length > 1) throw new ConfigError(`the runs are of different tasks (${tasks.join(', ')}): report runs of one task together`);
      const analyses: CheckpointAnalysis[] = [];
      for (const r of runs) analyses.push(await analyzeCheckpoint(r.checkpoint, { samples, task: tasks[0], ablation: f.ablation !== false, label: r.label }));
      const primary = analyses[0].primary;
      const curves = await renderPlots(trainingCurvePlots(runs.map((r) => ({ name: r.label, records: r.records })), primary,
        runs[0].kind === 'forecast' ? 'validation' : 'test'));
      const plotDir = join(dirname(out), `${basename(out).replace(/\.html?$/i, '')}-plots`);
      const files = [
        ...plotFiles(curves, plotDir),
        ...analyses.flatMap((a, i) => plotFiles(a.plots, plotDir, `run${i + 1}-`)),
        { path: out, data: html(runs, analyses, curves, primary) },
      ];
      writeFilesAtomic(files, true); // the report itself was checked above; its plots are its own
      process.stdout.write(`report of ${runs.length} run(s): ${out} (plots in ${plotDir})\n`);
    });
}
