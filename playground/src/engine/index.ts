// TEMPORARY STUB of the engine API, to develop the page against; replaced by the real engine.
// Trains real models on the copy task (so accuracy and timing mean something); the rest is fake.
import { SequenceModel, createOptimizer, Rng, data, serializeModel, deserializeModel, argmaxRows, type Optimizer } from '../../../src/index.js';
import type { Evaluation, Line, ModelName, ModelStep, ModelView, PlaygroundSettings } from '../protocol.js';

export const DEFAULT_SETTINGS: PlaygroundSettings = {
  task: 'copy', delay: 10, length: 50, series: 'co2', lookback: 24, horizon: 12, hidden: 64, pInit: 'uniform', pValue: 0.5,
  eps: 0.001, lstmInit: 'forget-bias', forgetBias: 1, lr: 0.01, batchSize: 32, seed: 1,
};

export class PlaygroundProblem extends Error {}

const NUMERIC = ['delay', 'length', 'lookback', 'horizon', 'hidden', 'pValue', 'eps', 'forgetBias', 'lr', 'batchSize', 'seed'] as const;

export function settingsFromQuery(query: string): { settings: PlaygroundSettings; problems: string[] } {
  const q = new URLSearchParams(query);
  const s: PlaygroundSettings = { ...DEFAULT_SETTINGS };
  const problems: string[] = [];
  for (const [k, v] of q) {
    if ((NUMERIC as readonly string[]).includes(k)) {
      const n = Number(v);
      if (Number.isFinite(n)) (s as unknown as Record<string, number>)[k] = n; else problems.push(`${k}=${v} is not a number`);
    } else if (k === 'task' || k === 'series' || k === 'pInit' || k === 'lstmInit') {
      (s as unknown as Record<string, string>)[k] = v;
    } else problems.push(`unknown setting ${k}`);
  }
  return { settings: s, problems };
}

export function settingsToQuery(s: PlaygroundSettings): string {
  const q = new URLSearchParams();
  for (const k of Object.keys(DEFAULT_SETTINGS) as (keyof PlaygroundSettings)[]) {
    if (s[k] !== DEFAULT_SETTINGS[k]) q.set(k, String(s[k]));
  }
  return q.toString();
}


export class PlaygroundRun {
  private stepCount = 0;
  private readonly rng: Rng;
  private readonly models: Record<ModelName, { model: SequenceModel; opt: Optimizer }>;
  private readonly held: data.CopyTaskData;
  private constructor(private readonly settings: PlaygroundSettings, readonly threads: number) {
    this.rng = new Rng(settings.seed);
    const make = (cell: 'plstm' | 'lstm') => ({
      model: SequenceModel.create({
        input: { kind: 'onehot', size: 10 }, head: { size: 10, steps: 'all' }, loss: 'xent', seed: settings.seed,
        layers: [cell === 'plstm' ? { cell, hidden: settings.hidden, eps: settings.eps } : { cell, hidden: settings.hidden, forgetBias: settings.forgetBias }],
      }, { threads }),
      opt: createOptimizer({ kind: 'adam', lr: settings.lr }),
    });
    this.models = { plstm: make('plstm'), lstm: make('lstm') };
    this.held = data.makeCopyTask(64, settings.delay, new Rng(settings.seed + 1000));
  }

  static async create(settings: PlaygroundSettings, opts: { csv?: string; threads?: number }): Promise<PlaygroundRun> {
    if (settings.task === 'forecast' && settings.series === 'user' && !(opts.csv ?? '').includes(',')) {
      throw new PlaygroundProblem('the CSV has no column of numbers: give a file with a header and one numeric column');
    }
    return new PlaygroundRun(settings, opts.threads ?? 1);
  }

  async step(): Promise<{ step: number; steps: ModelStep[] }> {
    const b = data.makeCopyTask(this.settings.batchSize, this.settings.delay, this.rng);
    const steps: ModelStep[] = [];
    for (const name of ['plstm', 'lstm'] as const) {
      const t0 = performance.now();
      const { loss } = this.models[name].model.trainStep({ B: b.N, T: b.L, x: b.x, y: b.y }, this.models[name].opt, { clip: 1 });
      steps.push({ model: name, loss, batchMs: performance.now() - t0 });
    }
    this.stepCount += 1;
    return { step: this.stepCount, steps };
  }

  evaluate(): Evaluation[] {
    const { N, L, x, y } = this.held;
    return (['plstm', 'lstm'] as const).map((name) => {
      const pred = argmaxRows(this.models[name].model.predict(x, N, L), 10);
      const { symbolAcc } = data.copyAccuracy(pred, y, N, L);
      return { model: name, step: this.stepCount, metric: 'accuracy' as const, value: symbolAcc, baseline: 1 / 8 };
    });
  }

  views(): ModelView[] {
    return (['plstm', 'lstm'] as const).map((name) => this.viewOf(name, this.models[name].model));
  }

  private viewOf(name: ModelName, model: SequenceModel): ModelView {
    const L = this.held.L;
    const tr = model.trace(this.held.x.subarray(0, L), 1, L);
    const d = tr.layers[0];
    const H = d.H;
    const grid = (gname: string, v: ArrayLike<number>) => {
      const values: number[] = new Array(H * L);
      for (let t = 0; t < L; t++) for (let u = 0; u < H; u++) values[u * L + t] = v[t * H + u];
      return { name: gname, rows: H, cols: L, values };
    };
    const p = name === 'plstm' ? Array.from(model.pSummary()[0].p) : null;
    const ns = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
    const q = (v: number[], f: number) => [...v].sort((a, b) => a - b)[Math.floor(f * (v.length - 1))];
    const eps = this.settings.eps;
    // retention after n steps with no reset: prod_k ((k + eps) / (k + 1))^p, or f^n for the LSTM
    const plaw = (pp: number): Line => ({ name: `p = ${pp.toFixed(2)}`, x: ns, y: ns.map((n) => { let r = 1; for (let k = 1; k <= n; k++) r *= Math.pow((k + eps) / (k + 1), pp); return r; }) });
    const fs: number[] = [];
    if (name === 'lstm') for (let u = 0; u < H; u++) { let m = 0; for (let t = 0; t < L; t++) m += d.gates.f[t * H + u]; fs.push(m / L); }
    const expo = (f: number): Line => ({ name: `f = ${f.toFixed(2)}`, x: ns, y: ns.map((n) => Math.pow(f, n)) });
    const decayEquations = p ? [0.1, 0.5, 0.9].map((f) => plaw(q(p, f))) : [0.1, 0.5, 0.9].map((f) => expo(q(fs, f)));
    const names = name === 'plstm' ? ['r', 'a', 'f'] : ['i', 'f', 'o'];
    return {
      model: name, p,
      decayEquations,
      decayMeasured: null,
      gates: [...names.map((g) => grid(g, d.gates[g])), grid('c', d.c)],
      forecast: null,
    };
  }

  modelFile(model: ModelName): { bytes: Uint8Array; fileName: string } {
    return { bytes: serializeModel(this.models[model].model), fileName: `playground-${model}-step${this.stepCount}.safetensors` };
  }

  inspect(bytes: Uint8Array, fileName: string): { view: ModelView; description: string } {
    let loaded;
    try { loaded = deserializeModel(bytes, {}, fileName); } catch (e) { throw new PlaygroundProblem((e as Error).message); }
    const kind = loaded.model.config.layers[0].cell === 'plstm' ? 'plstm' : 'lstm';
    const view = this.viewOf(kind, loaded.model);
    loaded.model.dispose();
    return { view, description: `${fileName}: ${kind}` };
  }

  dispose(): void {
    this.models.plstm.model.dispose();
    this.models.lstm.model.dispose();
  }
}
