// reportData against the functions it gathers (fits, measured decay, traces, p at init) and
// the analysis chart builders rendered to SVG that parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SequenceModel, type ModelConfig } from '../src/model/index.js';
import { fitDecay, measuredDecay, reportData, reportPlots, trainingCurvePlots } from '../src/analysis/index.js';
import { barChart, heatmapChart, histogramBins, histogramChart, renderSvg, scaledLineChart, sortedValuesChart } from '../src/plot/index.js';
import { Rng } from '../src/cells/rng.js';

const rt = { backend: 'js', dtype: 'float64' } as const;

function inputs(B: number, T: number, V: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * V));
}

function cfgOf(cell: 'plstm' | 'lstm', layers = 1): ModelConfig {
  return { input: { kind: 'onehot', size: 5 }, layers: Array.from({ length: layers }, () => ({ cell, hidden: 6 })), head: { size: 5, steps: 'all' }, loss: 'xent', seed: 7 };
}

test('reportData (pLSTM): decay, fits, p at initialisation vs now, traces and ablation agree with their sources', () => {
  const m = SequenceModel.create(cfgOf('plstm', 2), rt);
  const theta = m.parameter('layers.0.p_param');
  for (let j = 0; j < theta.length; j++) theta[j] += 0.5; // "training" moved p up
  const B = 3, T = 20, x = inputs(B, T, 5, 1);
  let calls = 0;
  const d = reportData(m, x, B, T, { decayStart: 2, traceUnits: 4, traceSteps: 10, ablation: { evaluate: () => ++calls, metric: 'acc', groups: 3 } });
  assert.equal(d.cell, 'plstm');
  assert.equal(d.decay.layers.length, 2);
  const md = measuredDecay(m, x, B, T, { start: 2, direction: 1, delta: 1e-4 });
  assert.deepEqual(d.decay.layers[1].mean.y, Array.from(md.mean));
  assert.equal(d.decay.layers[1].mean.n.length, T - 2);
  assert.deepEqual(d.decay.layers[1].meanFit, fitDecay(md.mean.slice(1).map((_, i) => i + 1), md.mean.slice(1)));
  // the longest-memory units are the quarter with the largest response at the last step
  const last = md.N - 1;
  const top = Array.from({ length: 6 }, (_, j) => j).sort((a, b) => md.response[last * 6 + b] - md.response[last * 6 + a]).slice(0, 2).sort((a, b) => a - b);
  assert.deepEqual(d.decay.layers[1].memoryUnits, top);
  // p now from the model, p at initialisation from a fresh model of the same config
  const fresh = SequenceModel.create(cfgOf('plstm', 2), rt);
  assert.deepEqual(d.timescales[0].pInit, Array.from(fresh.pSummary()[0].p));
  assert.deepEqual(d.timescales[0].p, Array.from(m.pSummary()[0].p));
  assert.ok(d.timescales[0].p!.every((p, j) => p > d.timescales[0].pInit![j]), 'p moved up with theta');
  assert.deepEqual(d.timescales[1].p, d.timescales[1].pInit, 'layer 1 was not touched');
  fresh.dispose();
  // gate traces: [units, steps] of sequence 0
  const tr = m.trace({ x, B, T }).layers[0];
  assert.deepEqual(Object.keys(d.traces[0].gates), ['r', 'a', 'f', 'c']);
  assert.equal(d.traces[0].gates.a[2 * 10 + 7], tr.gates.a[7 * 6 + 2]);
  assert.equal(d.traces[0].gates.c[3 * 10 + 9], tr.c[9 * 6 + 3]);
  // ablation: per layer, 3 groups + the intact model
  assert.equal(d.ablation!.length, 2);
  assert.equal(d.ablation![0].groups.length, 3);
  assert.equal(d.ablation![0].by, 'p');
  assert.equal(calls, 8);
  assert.deepEqual(d.ablation![0].groups.flatMap((g) => g.units).sort(), [0, 1, 2, 3, 4, 5]);
  // every picture of it has a unique, file-safe name
  const plots = reportPlots(d);
  const names = plots.map((p) => p.name);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^[a-z0-9-]+$/);
  assert.ok(names.includes('measured-decay-layer1') && names.includes('p-histogram-layer0') && names.includes('gates-layer0-r') && names.includes('ablation-layer1'));
  m.dispose();
});

test('reportData (LSTM): Mahto timescales per unit, gates i f o c, no p', () => {
  const m = SequenceModel.create(cfgOf('lstm'), rt);
  const B = 2, T = 12, x = inputs(B, T, 5, 2);
  const d = reportData(m, x, B, T);
  const f = m.trace({ x, B, T }).layers[0].gates.f;
  let mean = 0;
  for (let r = 0; r < B * T; r++) mean += f[r * 6 + 4] / (B * T);
  assert.ok(Math.abs(d.timescales[0].timescale![4] - -1 / Math.log(mean)) < 1e-12);
  assert.equal(d.timescales[0].p, undefined);
  assert.deepEqual(Object.keys(d.traces[0].gates), ['i', 'f', 'o', 'c']);
  assert.equal(d.ablation, null);
  assert.ok(reportPlots(d).some((p) => p.name === 'timescales-layer0'));
  m.dispose();
});

test('histogramBins counts every value once, the largest in the last bin', () => {
  const bins = histogramBins([0, 1, 2, 3, 4, 10], 5);
  assert.deepEqual(bins.map((b) => b.count), [2, 2, 1, 0, 1]); // bins of width 2 from 0 to 10
  assert.equal(bins[0].lo, 0);
  assert.equal(bins[4].hi, 10);
});

test('every analysis chart renders to SVG that parses, and log axes drop points they cannot show', async () => {
  const specs = [
    scaledLineChart([{ name: 'a', points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }, { x: 10, y: 0.1 }] }], { xScale: 'log', yScale: 'log' }),
    sortedValuesChart([{ name: 'l0', values: [3, 1, Infinity, 20] }], { yScale: 'log' }),
    histogramChart([{ name: 'init', values: [0.1, 0.5, 0.9] }, { name: 'now', values: [0.2, 0.6] }]),
    heatmapChart({ rows: 2, cols: 3, values: [0, 1, 2, 3, 4, 5] }),
    barChart([{ label: 'g1', value: 0.5 }, { label: 'g2', value: 0.9 }], { reference: { name: 'intact', value: 1 } }),
    ...trainingCurvePlots([{ name: 'run', records: [{ type: 'epoch', epoch: 1, train_loss: 2, test_loss: 2.1, test_acc: 0.1 }] }], 'acc').map((p) => p.spec),
  ];
  const line = specs[0] as { data: { values: { x: number }[] } };
  assert.deepEqual(line.data.values.map((v) => v.x), [1, 10], 'x = 0 is left off a log axis');
  const sorted = specs[1] as { data: { values: { y: number }[] } };
  assert.deepEqual(sorted.data.values.map((v) => v.y), [1, 3, 20]);
  for (const spec of specs) {
    const svg = await renderSvg(spec);
    assert.equal(XMLValidator.validate(svg), true);
    assert.ok(new XMLParser().parse(svg).svg !== undefined);
  }
});
