// The playground's contract between the page (main thread) and the training worker, and the
// shapes of what the worker reports. The worker owns the models (training never blocks the
// page); the page owns the controls, the URL and the charts. Every array here is plain
// numbers so that it survives postMessage and JSON.

/** The tasks the playground trains on. */
export type TaskName = 'copy' | 'adding' | 'forecast';

/** How the LSTM beside the pLSTM is initialised: a constant forget-gate bias, or chrono init (Tallec and Ollivier 2018). */
export type LstmInit = 'forget-bias' | 'chrono';

/** Everything that defines a run. The whole object lives in the page's URL query. */
export interface PlaygroundSettings {
  task: TaskName;
  /** Copy task: the delay T (blank steps between the symbols and the marker). */
  delay: number;
  /** Adding problem: sequence length T. */
  length: number;
  /** Forecast task: 'co2' (built-in monthly CO2) or 'user' (a CSV dropped on the page; its text is not in the URL). */
  series: 'co2' | 'user';
  /** Forecast task: input chunk (steps read before each forecast). */
  lookback: number;
  /** Forecast task: steps forecast at once. */
  horizon: number;
  /** Hidden units of both models. */
  hidden: number;
  /** pLSTM: how p is initialised ('uniform' in (0, 1), or every unit at `pValue`). */
  pInit: 'uniform' | 'constant';
  /** pLSTM: the constant p with pInit 'constant'. */
  pValue: number;
  /** pLSTM: eps of the age update and forget gate, in (0, 1). */
  eps: number;
  /** LSTM: forget-gate bias or chrono initialisation. */
  lstmInit: LstmInit;
  /** LSTM: the forget-gate bias with lstmInit 'forget-bias'. */
  forgetBias: number;
  /** Learning rate (Adam) of both models. */
  lr: number;
  /** Sequences (or windows) per training batch. */
  batchSize: number;
  /** Seed of both models' weights and of the data: the same for both models. */
  seed: number;
}

/** Which of the two side-by-side models. */
export type ModelName = 'plstm' | 'lstm';

/** One training batch of one model. */
export interface ModelStep {
  model: ModelName;
  /** Training loss of this batch. */
  loss: number;
  /** Wall time of the batch in the worker (ms). */
  batchMs: number;
}

/** What the models scored on the held-out set (copy: symbol accuracy, adding: MSE, forecast: MASE). */
export interface Evaluation {
  model: ModelName;
  step: number;
  /** 'accuracy' (copy; chance is 1/8), 'mse' (adding; 1/6 is the mean-only baseline), 'mase' (forecast; 1 is seasonal naive). */
  metric: 'accuracy' | 'mse' | 'mase';
  value: number;
  /** The value that means "learned nothing" for this metric (chance or baseline). */
  baseline: number;
}

/** One line of a chart: x and y of equal length. */
export interface Line {
  name: string;
  x: number[];
  y: number[];
}

/** A [rows, cols] grid of one gate over one sequence: rows = hidden units, cols = time steps. */
export interface GateGrid {
  /** e.g. 'reset r', 'age a', 'forget f', 'cell c'. */
  name: string;
  rows: number;
  cols: number;
  /** [rows, cols] row-major. */
  values: number[];
}

/** The forecast task's picture: history, the forecast with its interval, and what came. */
export interface ForecastView {
  /** Times (ms since 1970 UTC) and values of the history shown before the origin. */
  history: Line;
  /** The actual values after the origin (the held-out part). */
  actual: Line;
  /** Median (or point) forecast. */
  forecast: Line;
  /** Lower and upper quantile of the interval, or null for point forecasts. */
  lower: Line | null;
  upper: Line | null;
}

/** What the page draws of one model, besides the training curves. */
export interface ModelView {
  model: ModelName;
  /** Learned p per unit (pLSTM; null for the LSTM). */
  p: number[] | null;
  /** Retention of a unit's memory after n steps from the equations, a few units (pLSTM: p quantiles; LSTM: mean forget gate quantiles). */
  decayEquations: Line[];
  /** Retention measured on the model (analysis.measuredDecay), one line; null if it cannot be measured for this task. */
  decayMeasured: Line | null;
  /** Gate heatmaps of one held-out sequence from model.trace(): pLSTM r, a, f, c; LSTM i, f, o, c. */
  gates: GateGrid[];
  /** Forecast task only. */
  forecast: ForecastView | null;
}

/** Messages from the page to the worker. */
export type ToWorker =
  /** Build both models and the data; csv is the dropped file's text for series 'user'. */
  | { type: 'reset'; settings: PlaygroundSettings; csv?: string }
  | { type: 'play' }
  | { type: 'pause' }
  /** One training batch of each model, then a 'views' message. */
  | { type: 'step' }
  /** Send the bytes of a model file of one of the two models. */
  | { type: 'download'; model: ModelName }
  /** Inspect a model file (e.g. from plstm train): its traces and curves, on the current task's data. */
  | { type: 'load'; bytes: ArrayBuffer; fileName: string };

/** Messages from the worker to the page. */
export type FromWorker =
  /** After each 'reset': the backend's facts. threads > 1 only when the page is cross-origin isolated. */
  | { type: 'ready'; threads: number; isolated: boolean; settings: PlaygroundSettings }
  /** After every training batch of both models. */
  | { type: 'steps'; step: number; steps: ModelStep[] }
  /** After each evaluation (every few steps and after 'step'). */
  | { type: 'evaluations'; evaluations: Evaluation[] }
  /** What the page draws of each model (after evaluations; less often than steps). */
  | { type: 'views'; views: ModelView[] }
  | { type: 'paused' }
  | { type: 'model-file'; model: ModelName; bytes: ArrayBuffer; fileName: string }
  /** A loaded model file's views (its own kind of model: 'plstm' or 'lstm'), shown beside the run. */
  | { type: 'loaded'; fileName: string; view: ModelView; description: string }
  /** A problem the user can fix (a CSV that does not parse, a model file of another kind): one line, nothing else changes. */
  | { type: 'problem'; message: string };
