// The plotting module: a forecast picture renders to well-formed SVG that holds its marks, and
// to a PNG of the requested size (read from the IHDR chunk, not trusted from the renderer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { forecastChart, lineChart, renderSvg } from '../src/plot/index.js';
import { svgToPng } from '../src/plot/png.js';

function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [137, 80, 78, 71, 13, 10, 26, 10];
  assert.deepEqual([...png.subarray(0, 8)], signature, 'PNG signature');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(String.fromCharCode(...png.subarray(12, 16)), 'IHDR', 'first chunk is IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const history = Array.from({ length: 40 }, (_, t) => ({ x: t, y: Math.sin(t / 5) }));
const forecast = Array.from({ length: 10 }, (_, h) => ({ x: 40 + h, y: Math.sin((40 + h) / 5) + 0.1 }));
const interval = forecast.map((p) => ({ x: p.x, lo: p.y - 0.3, hi: p.y + 0.3 }));
const actuals = forecast.map((p) => ({ x: p.x, y: p.y - 0.1 }));

test('a forecast chart renders to well-formed SVG with its lines, band and legend', async () => {
  const svg = await renderSvg(forecastChart({ history, forecast, interval, actuals, intervalName: '10%-90%' },
    { title: 'demo', width: 400, height: 200 }));
  assert.equal(XMLValidator.validate(svg), true);
  assert.match(svg, /^<svg[^>]* width="400" height="200"/);
  assert.equal((svg.match(/class="mark-line role-mark/g) ?? []).length, 3, 'one line per series');
  assert.equal((svg.match(/class="mark-area role-mark/g) ?? []).length, 1, 'one area mark (the interval)');
  for (const label of ['history', 'actual', 'forecast', 'demo']) assert.ok(svg.includes(`>${label}<`), `label ${label}`);
});

test('dates on x give a temporal axis', async () => {
  const days = ['2020-01-01', '2020-01-02', '2020-01-03'];
  const spec = lineChart([{ name: 'y', points: days.map((d, i) => ({ x: d, y: i })) }]);
  const layer = (spec.layer as { encoding: { x: { type: string } } }[])[0];
  assert.equal(layer.encoding.x.type, 'temporal');
  const svg = await renderSvg(spec);
  assert.equal(XMLValidator.validate(svg), true);
});

test('the PNG has the signature and the requested size', async () => {
  const svg = await renderSvg(lineChart([{ name: 'y', points: history }], { width: 300, height: 150 }));
  assert.deepEqual(pngSize(svgToPng(svg)), { width: 300, height: 150 });
  assert.deepEqual(pngSize(svgToPng(svg, { width: 600 })), { width: 600, height: 300 });
});

test('numeric axes label years and steps as plain numbers (1760, 150), not 1.76e+3', async () => {
  const { scaledLineChart } = await import('../src/plot/analysis-specs.js');
  const labels = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  const years = labels(await renderSvg(lineChart([{ name: 'a', points: Array.from({ length: 270 }, (_, i) => ({ x: 1749 + i, y: i % 7 })) }])));
  assert.ok(years.includes('1760') && years.includes('2000'), years.join(' '));
  const steps = labels(await renderSvg(scaledLineChart([{ name: 'a', points: Array.from({ length: 550 }, (_, x) => ({ x, y: x + 1 })) }], { yScale: 'log' })));
  assert.ok(steps.includes('150') && steps.includes('1000'), steps.join(' '));
  assert.ok([...years, ...steps].every((l) => !/e[+-]/.test(l)), 'no exponent notation');
});
