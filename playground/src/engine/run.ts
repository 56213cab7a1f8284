// One playground run: a pLSTM and an LSTM with the same config otherwise, the same seed and the
// same data, trained side by side one batch at a time. Copy and adding train through
// SequenceModel.trainStep on batches both models share; the forecast task trains two
// Forecasters through fit(), held to one batch per step() (stepped-fit.ts). step() means one
// training batch of each model on every task.

import {
  PlstmError, SequenceModel, TrainingDivergedError, createOptimizer, deserializeModel, forecast, openBackend,
  preloadWasmKernels, serializeModel,
  type InputConfig, type LayerConfig, type ModelConfig, type Optimizer, type PInit, type SequenceBackend,
} from 'powerlaw-lstm';
import type { Evaluation, ForecastView, ModelName, ModelStep, ModelView, PlaygroundSettings, TaskName } from '../protocol.js';
import { PlaygroundProblem } from './problem.js';
import { settingsProblem } from './settings.js';
import { addingTask, copyTask, forecastTask, type ForecastTask, type SequenceTask } from './tasks.js';
import { SteppedFit } from './stepped-fit.js';
import { VIEW_SEQUENCES, modelNameOf, modelView, type ViewInputs } from './views.js';

/** Max gradient norm of every training step (as the forecaster's default): keeps a high learning rate from blowing up. */
export const TRAIN_CLIP = 1;
/** The forecaster's quantile levels: the median and an 80% interval. */
const FORECAST_QUANTILES = [0.1, 0.5, 0.9];
/** Epochs of the forecasters' fit(): never reached; the page decides when to stop. */
const FOREVER_EPOCHS = 1_000_000;
const MODELS: ModelName[] = ['plstm', 'lstm'];
const LABEL: Record<ModelName, string> = { plstm: 'pLSTM', lstm: 'LSTM' };

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Options of PlaygroundRun.create. */
export interface RunOptions {
  /** The dropped CSV's text (forecast task with series 'user'). */
  csv?: string;
  /** Worker threads asked of the wasm backend (it uses one where memory cannot be shared). Default: its own choice. */
  threads?: number;
}

/** The pLSTM's p init: uniform, or every unit at pValue (theta = logit(pValue), still learned). */
function plstmPInit(s: PlaygroundSettings): PInit {
  const theta = Math.log(s.pValue / (1 - s.pValue));
  return s.pInit === 'uniform' ? { mode: 'uniform' } : { mode: 'range', lo: theta, hi: theta };
}

/** The pLSTM's layer: eps and p init. */
function plstmLayer(s: PlaygroundSettings): LayerConfig {
  return { cell: 'plstm', hidden: s.hidden, eps: s.eps, pInit: plstmPInit(s) };
}

/** The LSTM's layer: a forget-gate bias, or chrono init with Tmax = the sequence length. */
function lstmLayer(s: PlaygroundSettings, T: number): LayerConfig {
  return s.lstmInit === 'chrono'
    ? { cell: 'lstm', hidden: s.hidden, chrono: T }
    : { cell: 'lstm', hidden: s.hidden, forgetBias: s.forgetBias };
}

function inputText(i: InputConfig): string {
  return i.kind === 'onehot' ? `one-hot tokens of ${i.size}` : i.kind === 'embedding' ? `embedded tokens of ${i.vocab}` : `${i.size} features per step`;
}

/** What a run trains: the two models and how one step of each goes. */
interface Pair {
  readonly threads: number;
  /** Steps per sequence the models read (the decay curves' length). */
  readonly T: number;
  readonly input: InputConfig;
  model(name: ModelName): SequenceModel;
  step(): Promise<ModelStep[]>;
  evaluate(step: number): Promise<Evaluation[]>;
  viewInputs(): ViewInputs;
  forecastView(name: ModelName): ForecastView | null;
  modelFile(name: ModelName, step: number): { bytes: Uint8Array; fileName: string };
  dispose(): void;
}

/** Copy and adding: two SequenceModels on one backend, trained on the same batches. */
class SequencePair implements Pair {
  readonly threads: number;
  readonly T: number;
  readonly input: InputConfig;
  private readonly models: Record<ModelName, SequenceModel>;
  private readonly opts: Record<ModelName, Optimizer>;

  constructor(private readonly settings: PlaygroundSettings, private readonly task: SequenceTask, private readonly backend: SequenceBackend) {
    this.T = task.T;
    this.input = task.input;
    this.threads = (backend as { threads?: number }).threads ?? 1;
    const base = { input: task.input, head: task.head, loss: task.loss, seed: settings.seed };
    const config = (layer: LayerConfig): ModelConfig => ({ ...base, layers: [layer] });
    const plstm = SequenceModel.createOn(config(plstmLayer(settings)), backend);
    const lstm = SequenceModel.createOn(config(lstmLayer(settings, task.T)), backend);
    this.models = { plstm, lstm };
    const adam = () => createOptimizer({ kind: 'adam', lr: settings.lr });
    this.opts = { plstm: adam(), lstm: adam() };
  }

  model(name: ModelName): SequenceModel {
    return this.models[name];
  }

  async step(): Promise<ModelStep[]> {
    const batch = this.task.nextBatch(this.settings.batchSize);
    return MODELS.map((name) => {
      const t0 = now();
      try {
        const { loss } = this.models[name].trainStep(batch, this.opts[name], { clip: TRAIN_CLIP });
        return { model: name, loss, batchMs: now() - t0 };
      } catch (err) {
        if (err instanceof TrainingDivergedError) throw new PlaygroundProblem(`the ${LABEL[name]}'s training diverged: lower the learning rate and reset`);
        throw err;
      }
    });
  }

  async evaluate(step: number): Promise<Evaluation[]> {
    return MODELS.map((name) => ({
      model: name, step, metric: this.task.metric, value: this.task.score(this.models[name]), baseline: this.task.baseline,
    }));
  }

  viewInputs(): ViewInputs {
    const h = this.task.heldOut;
    const B = Math.min(VIEW_SEQUENCES, h.B);
    return { x: h.x.subarray(0, B * (h.x.length / h.B)), B, T: h.T };
  }

  forecastView(): null {
    return null;
  }

  modelFile(name: ModelName, step: number): { bytes: Uint8Array; fileName: string } {
    const bytes = serializeModel(this.models[name], null, { playground: { ...this.settings }, step });
    return { bytes, fileName: `${name}-${this.task.kind}-step${step}.safetensors` };
  }

  dispose(): void {
    for (const name of MODELS) this.models[name].dispose();
    this.backend.dispose?.();
  }
}

/** The forecast task: two Forecasters (pLSTM, LSTM) with the same settings and seed, so the same windows per batch. */
class ForecastPair implements Pair {
  readonly threads: number;
  readonly T: number;
  readonly input: InputConfig;

  private constructor(private readonly task: ForecastTask, private readonly forecasters: Record<ModelName, forecast.Forecaster>,
    private readonly fits: Record<ModelName, SteppedFit>, private readonly settings: PlaygroundSettings) {
    this.T = settings.lookback;
    const m = forecasters.plstm.sequenceModel;
    this.input = m.config.input;
    this.threads = (m.backend as { threads?: number }).threads ?? 1;
  }

  static async create(settings: PlaygroundSettings, task: ForecastTask, threads: number | undefined): Promise<ForecastPair> {
    // each forecaster's cell settings are the page's: eps and p init, or the forget bias (chrono sets its own)
    const make = (cell: forecast.ForecastCell, cellSettings: Pick<forecast.ForecasterConfig, 'eps' | 'pInit' | 'forgetBias' | 'chrono'>) => new forecast.Forecaster({
      lookback: settings.lookback, horizon: settings.horizon, cell, hidden: settings.hidden, batchSize: settings.batchSize,
      seed: settings.seed, optimizer: { kind: 'adam', lr: settings.lr }, epochs: FOREVER_EPOCHS, clip: TRAIN_CLIP,
      quantiles: FORECAST_QUANTILES, normalize: 'window', ...cellSettings,
    }, threads === undefined ? {} : { threads });
    const forecasters = {
      plstm: make('plstm', { eps: settings.eps, pInit: plstmPInit(settings) }),
      lstm: settings.lstmInit === 'chrono' ? make('lstm', { chrono: true }) : make('lstm', { forgetBias: settings.forgetBias }),
    };
    const fits = {} as Record<ModelName, SteppedFit>;
    for (const name of MODELS) {
      const f = forecasters[name];
      fits[name] = new SteppedFit(
        (callbacks) => f.fit(task.series, { trainEnd: () => task.trainEnd, callbacks }),
        (summary) => {
          const loss = (summary as forecast.TrainSummary).loss;
          return new PlaygroundProblem(Number.isFinite(loss) ? `the ${LABEL[name]}'s training ended` : `the ${LABEL[name]}'s training diverged: lower the learning rate and reset`);
        });
      // fit() builds its model before its first pause; a fit that failed before that failed on the data
      if (!f.fitted) {
        const failure = await fits[name].stop().then(() => fits[name].step().catch((e: unknown) => e));
        for (const g of Object.values(fits)) await g.stop();
        for (const m of MODELS) forecasters[m].dispose();
        throw failure instanceof PlstmError ? new PlaygroundProblem(`${task.source}: ${failure.message}`) : failure;
      }
    }
    return new ForecastPair(task, forecasters, fits, settings);
  }

  model(name: ModelName): SequenceModel {
    return this.forecasters[name].sequenceModel;
  }

  async step(): Promise<ModelStep[]> {
    const out: ModelStep[] = [];
    for (const name of MODELS) {
      const { loss, ms } = await this.fits[name].step();
      out.push({ model: name, loss, batchMs: ms });
    }
    return out;
  }

  /** MASE over every held-out origin whose horizon fits in the held-out part (the fitted forecasters' backtest). */
  async evaluate(step: number): Promise<Evaluation[]> {
    const out: Evaluation[] = [];
    for (const name of MODELS) {
      const bt = await forecast.backtest(this.forecasters[name], this.task.series, { testSize: this.task.testSize, stride: 1, refit: false });
      out.push({ model: name, step, metric: 'mase', value: bt.overall.MASE, baseline: 1 });
    }
    return out;
  }

  viewInputs(): ViewInputs {
    const { trainEnd, testSize } = this.task;
    const h = this.settings.horizon;
    // held-out origins: the first one is the sequence of the gate grids
    const n = Math.min(VIEW_SEQUENCES, testSize - h + 1);
    const origins = Array.from({ length: n }, (_, k) => trainEnd + k);
    const { x } = this.forecasters.plstm.windowsOf(this.task.series, origins); // [n, lookback, F]
    return { x, B: n, T: this.settings.lookback };
  }

  forecastView(name: ModelName): ForecastView {
    const ser = this.task.series, o = this.task.trainEnd, h = this.settings.horizon;
    const { point, quantiles } = this.forecasters[name].forecastAt(ser, [o]); // [1, h], [1, h, 3]
    const from = Math.max(0, o - 3 * this.settings.lookback);
    const times = ser.times.slice(o, o + h);
    const band = (q: number) => ({ name: `${FORECAST_QUANTILES[q] * 100}% quantile`, x: times, y: Array.from({ length: h }, (_, k) => quantiles![k * 3 + q]) });
    return {
      history: { name: 'history', x: ser.times.slice(from, o), y: Array.from(ser.values.subarray(from, o)) },
      actual: { name: 'actual', x: ser.times.slice(o), y: Array.from(ser.values.subarray(o)) },
      forecast: { name: 'median forecast', x: times, y: Array.from(point) },
      lower: band(0),
      upper: band(2),
    };
  }

  modelFile(name: ModelName, step: number): { bytes: Uint8Array; fileName: string } {
    const f = this.forecasters[name];
    f.info = { playground: { ...this.settings }, step };
    return { bytes: f.toBytes(), fileName: `${name}-forecast-${this.settings.series}-step${step}.safetensors` };
  }

  dispose(): void {
    // each fit returns at its next pause; the models go after that
    for (const name of MODELS) {
      const f = this.forecasters[name];
      void this.fits[name].stop().finally(() => f.dispose());
    }
  }
}

export class PlaygroundRun {
  /** Training steps done (each one batch of each model). */
  private steps = 0;

  private constructor(readonly settings: PlaygroundSettings, private readonly pair: Pair) {}

  /** Builds both models and the data; bad settings or a bad CSV are a PlaygroundProblem. */
  static async create(settings: PlaygroundSettings, opts: RunOptions = {}): Promise<PlaygroundRun> {
    const problem = settingsProblem(settings);
    if (problem !== null) throw new PlaygroundProblem(`bad setting ${problem}`);
    try {
      await preloadWasmKernels();
    } catch {
      // no WebAssembly SIMD here: openBackend falls back to the js backend and says so
    }
    const s = { ...settings };
    if (s.task === 'forecast') {
      const pair = await ForecastPair.create(s, forecastTask(s, opts.csv), opts.threads);
      return new PlaygroundRun(s, pair);
    }
    const task = s.task === 'copy' ? copyTask(s) : addingTask(s);
    const backend = openBackend(opts.threads === undefined ? {} : { threads: opts.threads });
    try {
      return new PlaygroundRun(s, new SequencePair(s, task, backend));
    } catch (err) {
      backend.dispose?.();
      throw err;
    }
  }

  /** Worker threads the backend really uses (1 where memory cannot be shared). */
  get threads(): number {
    return this.pair.threads;
  }

  /** One training batch of each model (the same batch for both), timed. */
  async step(): Promise<{ step: number; steps: ModelStep[] }> {
    const steps = await this.pair.step();
    this.steps++;
    return { step: this.steps, steps };
  }

  /** Both models' scores on the held-out set, with the score of learning nothing. */
  evaluate(): Promise<Evaluation[]> {
    return this.pair.evaluate(this.steps);
  }

  /** What the page draws of each model. */
  views(): ModelView[] {
    const inputs = this.pair.viewInputs();
    return MODELS.map((name) => modelView(this.pair.model(name), inputs, this.pair.T, this.pair.forecastView(name)));
  }

  /** A model file of one of the two models (the forecast task: the Forecaster's file, scalers included). */
  modelFile(model: ModelName): { bytes: Uint8Array; fileName: string } {
    return this.pair.modelFile(model, this.steps);
  }

  /**
   * The view of a model file (a pLSTM or LSTM, e.g. from plstm train): traced on the current
   * task's held-out data when its input fits them, else p and the equation curves only. A file
   * that is not a model, a model of another cell, or one that reads another kind of input is a
   * PlaygroundProblem.
   */
  inspect(bytes: Uint8Array, fileName: string): { view: ModelView; description: string } {
    let model: SequenceModel;
    try {
      model = deserializeModel(bytes, { backend: 'js' }, fileName).model;
    } catch (err) {
      const why = err instanceof PlstmError ? err.message : `${fileName} is not a model file of this library`;
      throw new PlaygroundProblem(`${why}; load a .safetensors file saved by the playground or by plstm train`);
    }
    try {
      const name = modelNameOf(model);
      const cfg = model.config;
      if (name === null) throw new PlaygroundProblem(`${fileName} is a model of "${cfg.layers[0].cell}" cells: the playground shows pLSTM and LSTM models`);
      const task: TaskName = this.settings.task;
      const mine = this.pair.input;
      if (cfg.input.kind !== mine.kind) {
        throw new PlaygroundProblem(`${fileName} reads ${inputText(cfg.input)}, the ${task} task feeds ${inputText(mine)}: switch to a task with that kind of input`);
      }
      const fits = JSON.stringify(cfg.input) === JSON.stringify(mine);
      const view = modelView(model, fits ? this.pair.viewInputs() : null, this.pair.T);
      const layers = cfg.layers.length;
      const description = `${fileName}: ${LABEL[name]}, ${cfg.layers[0].hidden} units${layers > 1 ? ` (layer 0 of ${layers} shown)` : ''}, `
        + `${inputText(cfg.input)} in, ${model.parameterCount} parameters; `
        + (fits ? `traced on the ${task} task's held-out data` : `its input does not fit the ${task} task's (${inputText(mine)}): p and equation curves only`);
      return { view, description };
    } finally {
      model.dispose();
    }
  }

  /** Stops training and frees the models and the backend's workers. */
  dispose(): void {
    this.pair.dispose();
  }
}
