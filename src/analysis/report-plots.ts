// The analysis pictures as Vega-Lite specs, from reportData's numbers and from runs' metric
// lines. Browser-safe: specs only; rendering to SVG and PNG happens elsewhere.
import type { LineSeries, VegaLiteSpec } from '../plot/specs.js';
import { barChart, heatmapChart, histogramChart, scaledLineChart, sortedValuesChart } from '../plot/analysis-specs.js';
import type { Curve, FitResult, ReportData } from './report-data.js';

/** One picture: a file-safe name (no extension), a caption and its spec. */
export interface NamedPlot {
  name: string;
  caption: string;
  spec: VegaLiteSpec;
}

const pts = (c: Curve) => c.n.map((n, i) => ({ x: n, y: c.y[i] }));
const fmt = (v: number) => (Math.abs(v) >= 0.01 ? v.toPrecision(3) : v.toExponential(2));

/** "power law (exponent 0.52)" or "exponential (rate 0.031/step)". */
export function describeFit(fit: FitResult): string {
  if (fit === null) return 'no fit (too few points above zero)';
  return fit.better === 'power-law'
    ? `power law fits better (exponent ${fmt(fit.powerLaw.parameter)}; residual ${fmt(fit.powerLaw.rss)} vs ${fmt(fit.exponential.rss)})`
    : `exponential fits better (rate ${fmt(fit.exponential.parameter)}/step; residual ${fmt(fit.exponential.rss)} vs ${fmt(fit.powerLaw.rss)})`;
}

function fitLines(c: Curve, fit: FitResult, label: string): LineSeries[] {
  if (fit === null) return [];
  const ns = c.n.filter((n) => n >= 1);
  return [
    { name: `${label}: power law fit`, points: ns.map((n) => ({ x: n, y: fit.powerLaw.amplitude * n ** -fit.powerLaw.parameter })), dashed: true, color: '#d62728' },
    { name: `${label}: exponential fit`, points: ns.map((n) => ({ x: n, y: fit.exponential.amplitude * Math.exp(-fit.exponential.parameter * n) })), dashed: true, color: '#2ca02c' },
  ];
}

/** Every picture of one model's analysis. */
export function reportPlots(d: ReportData, what = d.cell): NamedPlot[] {
  const out: NamedPlot[] = [];
  const eq: LineSeries[] = [
    ...d.equations.lstm.map((e) => ({ name: `LSTM f=${e.f}`, points: e.retention.map((y, n) => ({ x: n, y })) })),
    ...d.equations.plstm.map((e) => ({ name: `pLSTM p=${e.p}`, points: e.retention.map((y, n) => ({ x: n, y })), dashed: true })),
  ];
  out.push({ name: 'decay-equations', caption: 'Retention from the equations: f^n (LSTM, constant forget gate) against a pLSTM unit that never resets, about (n+1)^-p.',
    spec: scaledLineChart(eq, { title: 'retention from the equations', xTitle: 'steps after the write n', yTitle: 'retention' }) });
  out.push({ name: 'decay-equations-loglog', caption: 'The same curves on log-log axes: the power law is a straight line, the exponential falls off a cliff.',
    spec: scaledLineChart(eq.map((l) => ({ ...l, points: l.points.filter((p) => (p.x as number) >= 1) })),
      { title: 'retention from the equations (log-log)', xTitle: 'steps after the write n', yTitle: 'retention', xScale: 'log', yScale: 'log' }) });

  for (const l of d.decay.layers) {
    const lines: LineSeries[] = [
      { name: 'mean of all units', points: pts(l.mean), color: '#7f7f7f' },
      { name: `longest-memory units (${l.memoryUnits.length})`, points: pts(l.memory), color: '#1f77b4' },
      ...fitLines(l.memory, l.memoryFit, 'longest-memory'),
    ];
    out.push({
      name: `measured-decay-layer${l.layer}`,
      caption: `${what}, layer ${l.layer}: response of the cell state n steps after a change of ${d.decay.delta} at step ${d.decay.start}, averaged over ${d.sequences} sequences. ` +
        `Longest-memory units: ${describeFit(l.memoryFit)}. All units: ${describeFit(l.meanFit)}. Units fitted better by a power law: ${l.powerLawUnits} of ${l.units.length}.`,
      spec: scaledLineChart(lines, { title: `${what} layer ${l.layer}: measured decay (log-log)`, xTitle: 'steps after the change n', yTitle: '|dc(s+n)| / delta', xScale: 'log', yScale: 'log' }),
    });
  }

  for (const t of d.timescales) {
    if (t.timescale !== undefined) {
      out.push({ name: `timescales-layer${t.layer}`, caption: `${what}, layer ${t.layer}: timescale per unit, -1 / ln(mean forget gate) over the data (Mahto et al. 2021), sorted.`,
        spec: sortedValuesChart([{ name: `layer ${t.layer}`, values: t.timescale }], { title: `LSTM layer ${t.layer}: timescales per unit`, yTitle: 'timescale (steps)', yScale: 'log' }) });
    }
    if (t.p !== undefined) {
      out.push({ name: `p-sorted-layer${t.layer}`, caption: `${what}, layer ${t.layer}: learned exponent p per unit, sorted (and at initialisation).`,
        spec: sortedValuesChart([{ name: 'trained', values: t.p }, ...(t.pInit ? [{ name: 'initialisation', values: t.pInit }] : [])],
          { title: `pLSTM layer ${t.layer}: exponent p per unit`, yTitle: 'p', yScale: 'log' }) });
      out.push({ name: `p-histogram-layer${t.layer}`, caption: `${what}, layer ${t.layer}: distribution of p at initialisation and after training.`,
        spec: histogramChart([...(t.pInit ? [{ name: 'initialisation', values: t.pInit }] : []), { name: 'trained', values: t.p }],
          { title: `pLSTM layer ${t.layer}: p at initialisation and now`, xTitle: 'p', yTitle: 'units' }) });
      const means = (t.meanResetInterval ?? []).filter((v): v is number => v !== null);
      out.push({ name: `reset-intervals-layer${t.layer}`,
        caption: `${what}, layer ${t.layer}: mean age at reset per unit, sorted (${(t.meanResetInterval ?? []).length - means.length} units never reset on these sequences).`,
        spec: sortedValuesChart([{ name: `layer ${t.layer}`, values: means }], { title: `pLSTM layer ${t.layer}: mean reset interval per unit`, yTitle: 'steps between resets', yScale: 'log' }) });
    }
  }

  for (const tr of d.traces) {
    for (const [g, values] of Object.entries(tr.gates)) {
      out.push({ name: `gates-layer${tr.layer}-${g}`, caption: `${what}, layer ${tr.layer}: ${GATE_NAMES[g] ?? g} of the first ${tr.units} units over one sequence.`,
        spec: heatmapChart({ rows: tr.units, cols: tr.steps, values }, { title: `layer ${tr.layer}: ${GATE_NAMES[g] ?? g}`, xTitle: 'step', yTitle: 'unit', height: 360,
          scheme: g === 'c' ? 'blueorange' : 'viridis' }) });
    }
  }

  for (const a of d.ablation ?? []) {
    out.push({ name: `ablation-layer${a.layer}`, caption: `${what}, layer ${a.layer}: test ${a.metric} with a quarter of the units silenced, grouped by ${a.by} (the dashed line: intact model, ${fmt(a.intact)}).`,
      spec: barChart(a.groups.map((g) => ({ label: `${a.by} ${fmt(g.lo)}-${fmt(g.hi)}`, value: g.metric })),
        { title: `layer ${a.layer}: ${a.metric} with units silenced by ${a.by}`, yTitle: a.metric, reference: { name: 'intact', value: a.intact } }) });
  }
  return out;
}

const GATE_NAMES: Record<string, string> = { r: 'reset gate r', a: 'age a', f: 'forget gate f', c: 'cell state c', i: 'input gate i', o: 'output gate o' };

/** One run's metric lines for the training curves. */
export interface RunCurves {
  /** Legend label, e.g. "plstm (runs/copy-plstm)". */
  name: string;
  /** The metric lines of metrics.jsonl. */
  records: Record<string, unknown>[];
}

/**
 * Training curves of several runs overlaid: the held-out primary metric and the training and
 * held-out loss per epoch. heldOut names the held-out part: 'test' (plstm train's test_* lines)
 * or 'validation' (a forecaster's val_loss; its primary metric is the loss, drawn once).
 */
export function trainingCurvePlots(runs: RunCurves[], primary: string, heldOut: 'test' | 'validation' = 'test'): NamedPlot[] {
  const series = (key: string) => runs.map((r) => ({
    name: r.name,
    points: r.records.filter((m) => m.type === 'epoch' && typeof m[key] === 'number').map((m) => ({ x: m.epoch as number, y: m[key] as number })),
  }));
  const prefix = heldOut === 'test' ? 'test' : 'val';
  const out: NamedPlot[] = [];
  if (!(heldOut === 'validation' && primary === 'loss')) {
    out.push({ name: 'training-primary', caption: `${heldOut === 'test' ? 'Test' : 'Validation'} ${primary} per epoch of every run.`,
      spec: scaledLineChart(series(`${prefix}_${primary}`), { title: `${heldOut} ${primary}`, xTitle: 'epoch', yTitle: primary }) });
  }
  // a run without a held-out part (a forecaster fitted with no validation share) draws its training loss only
  const held = series(`${prefix}_loss`).filter((s) => s.points.length > 0).map((s) => ({ ...s, name: `${s.name} ${heldOut}`, dashed: true }));
  out.push({ name: 'training-loss', caption: `Training${held.length > 0 ? ` and ${heldOut}` : ''} loss per epoch of every run (log axis).`,
    spec: scaledLineChart([...series('train_loss').map((s) => ({ ...s, name: `${s.name} train` })), ...held],
      { title: 'loss', xTitle: 'epoch', yTitle: 'loss', yScale: 'log' }) });
  return out;
}
