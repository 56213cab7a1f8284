// The TypeScript side of the twin's tests (python/tests): writes models and their predictions
// with the library's public API, or reads model files (written by the twin) and prints their
// predictions, so the Python tests compare both ways. One node start serves many models.
//
//   node --import tsx python/tests/ts_bridge.ts write SPEC.json OUT_DIR
//     SPEC: [{ name, config, dtype?: 'float32' | 'float64', B, T, trainSteps?, continueSteps?,
//              forecaster?: { settings } }]
//     For each case: a model (float32 on the wasm backend, float64 on js) trained trainSteps
//     Adam steps (lr 0.01, clip 1) on a seeded batch, saved with its optimizer as NAME.safetensors,
//     its predictions on the batch and its loss in NAME.json; with continueSteps, the same model
//     trained that many steps more, saved as NAME.after.safetensors. A forecaster case fits a
//     Forecaster on a small seeded series and writes its file (NAME.safetensors) and the
//     windows of the series' last 24 steps as the network reads them (NAME.windows.json).
//   node --import tsx python/tests/ts_bridge.ts read SPEC.json
//     SPEC: [{ file, x, shape, y?, w?, forecaster?: boolean }]; prints one JSON array: per file,
//     { outputs, loss (when y is given), lookback (forecaster files: read by
//     Forecaster.fromBytes), optimizerSteps (null without an optimizer) }.
//
// B = batch, T = time steps, I = input width, O = head outputs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SequenceModel, createOptimizer, forecast, loadModel, saveModel, Rng,
  type Batch, type ModelConfig, type ResolvedModelConfig,
} from '../../src/node/index.js';

interface WriteCase {
  name: string;
  config: ModelConfig;
  dtype?: 'float32' | 'float64';
  B: number;
  T: number;
  trainSteps?: number;
  continueSteps?: number;
  forecaster?: { settings: forecast.ForecasterSettings };
}

interface ReadCase {
  file: string;
  x: number[];
  shape: number[];
  y?: number[];
  /** Row weights for the loss ([B, T] or [B]). */
  w?: number[];
  forecaster?: boolean;
}

/** A seeded batch that fits the config: ids or features x, and targets y. */
function makeBatch(cfg: ResolvedModelConfig, B: number, T: number, seed: number, dtype: 'float32' | 'float64'): Batch {
  const rng = new Rng(seed);
  const inp = cfg.input;
  const x = inp.kind === 'dense'
    ? (dtype === 'float64' ? Float64Array : Float32Array).from({ length: B * T * inp.size }, () => rng.range(-1, 1))
    : Int32Array.from({ length: B * T }, () => Math.floor(rng.uniform() * (inp.kind === 'onehot' ? inp.size : inp.vocab)));
  const N = cfg.head.steps === 'all' ? B * T : B;
  const O = cfg.head.size;
  const y = cfg.loss === 'xent'
    ? Int32Array.from({ length: N }, () => Math.floor(rng.uniform() * O))
    : (dtype === 'float64' ? Float64Array : Float32Array).from({ length: N * O }, () => rng.range(-1, 1));
  return { B, T, x, y };
}

function xShape(cfg: ResolvedModelConfig, B: number, T: number): number[] {
  return cfg.input.kind === 'dense' ? [B, T, cfg.input.size] : [B, T];
}

async function writeCases(cases: WriteCase[], dir: string): Promise<void> {
  for (const c of cases) {
    if (c.forecaster !== undefined) {
      const rng = new Rng(7);
      const n = 60;
      const values = Array.from({ length: n }, (_, t) => 10 + Math.sin((2 * Math.PI * t) / 12) + 0.1 * rng.normal());
      const [series] = forecast.seriesFromWide(Array.from({ length: n }, (_, t) => t), { s: values }, 'number');
      const fc = new forecast.Forecaster(c.forecaster.settings);
      await fc.fit(series);
      writeFileSync(join(dir, `${c.name}.safetensors`), fc.toBytes());
      // its training windows as the network reads them (scaled): x [W, lookback, F], y [W, horizon, Q]
      const { lookback, horizon } = fc.settings;
      const origins = forecast.windowOrigins({ lookback, horizon, start: n - 24, end: n });
      const { x, y } = fc.windowsOf(series, origins);
      writeFileSync(join(dir, `${c.name}.windows.json`), JSON.stringify({
        x: Array.from(x), xShape: [origins.length, lookback, x.length / (origins.length * lookback)],
        y: Array.from(y), yShape: [origins.length, horizon, y.length / (origins.length * horizon)],
      }));
      fc.dispose();
      continue;
    }
    const dtype = c.dtype ?? 'float32';
    const model = SequenceModel.create(c.config, dtype === 'float64' ? { backend: 'js', dtype } : {});
    const batch = makeBatch(model.config, c.B, c.T, 1234, dtype);
    const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
    for (let s = 0; s < (c.trainSteps ?? 0); s++) model.trainStep(batch, opt, { clip: 1 });
    saveModel(join(dir, `${c.name}.safetensors`), model, opt);
    const outputs = model.predict({ x: batch.x, B: c.B, T: c.T });
    const { loss } = model.evaluate(batch);
    writeFileSync(join(dir, `${c.name}.json`), JSON.stringify({
      x: Array.from(batch.x), shape: xShape(model.config, c.B, c.T), y: Array.from(batch.y),
      outputs: Array.from(outputs), loss, backend: model.backend.name ?? null,
    }));
    if (c.continueSteps !== undefined) {
      for (let s = 0; s < c.continueSteps; s++) model.trainStep(batch, opt, { clip: 1 });
      saveModel(join(dir, `${c.name}.after.safetensors`), model, opt);
    }
    model.dispose();
  }
}

function readCases(cases: ReadCase[]): unknown[] {
  return cases.map((c) => {
    const { model, optimizer } = loadModel(c.file);
    const [B, T] = c.shape;
    const f64 = model.dtype === 'float64';
    const x = c.shape.length === 3 ? (f64 ? Float64Array.from(c.x) : Float32Array.from(c.x)) : Int32Array.from(c.x);
    const outputs = Array.from(model.predict({ x, B, T }));
    let loss: number | null = null;
    if (c.y !== undefined) {
      const y = model.config.loss === 'xent' ? Int32Array.from(c.y) : (f64 ? Float64Array.from(c.y) : Float32Array.from(c.y));
      const weights = c.w === undefined ? undefined : Float32Array.from(c.w);
      loss = model.evaluate({ B, T, x, y, weights }).loss;
    }
    model.dispose();
    let lookback: number | null = null;
    if (c.forecaster === true) {
      const fc = forecast.Forecaster.fromBytes(readFileSync(c.file), {}, c.file);
      lookback = fc.settings.lookback;
      fc.dispose();
    }
    return { outputs, loss, lookback, optimizerSteps: optimizer?.steps ?? null };
  });
}

const [mode, specFile, dir] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, 'utf8'));
if (mode === 'write') await writeCases(spec as WriteCase[], dir);
else if (mode === 'read') process.stdout.write(JSON.stringify(readCases(spec as ReadCase[])));
else throw new Error(`usage: ts_bridge.ts write SPEC.json OUT_DIR | read SPEC.json (got ${mode})`);
