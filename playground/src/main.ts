// The playground page: controls and the URL (every setting lives in the query, so a link
// reproduces a run), the training worker's messages, the charts, and one line for problems.
// The worker owns the models; this thread only draws, so the page stays responsive.
// the settings module only: the library itself stays in the worker's bundle
import { DEFAULT_SETTINGS, settingsFromQuery, settingsToQuery } from './engine/settings.js';
import { ChartBoard } from './live-chart.js';
import { HeatmapCanvas } from './heatmap-canvas.js';
import { MODEL_LABEL, METRIC_TEXT, decaySpec, forecastSpec, lossSpec, metricSpec, pSpec, shadesOf,
  type History } from './charts.js';
import type { Evaluation, FromWorker, ModelName, ModelView, PlaygroundSettings, ToWorker } from './protocol.js';

const MODELS: ModelName[] = ['plstm', 'lstm'];
/** Batch times kept for the page's timing (the latest ones). */
const BATCH_TIMES_KEPT = 200;

/** What tests (and the curious) can read: `window.playgroundState`, a copy on every read. */
export interface PlaygroundState {
  /** The settings in the controls and the URL. */
  settings: PlaygroundSettings;
  /** Whether the worker has built the run of these settings. */
  ready: boolean;
  playing: boolean;
  step: number;
  /** The latest held-out evaluation of each model. */
  evaluations: Evaluation[];
  threads: number;
  isolated: boolean;
  /** Data points each chart has drawn, by chart id. */
  charts: Record<string, number>;
  /** Per chart: views built and its longest draw (ms). */
  drawStats: Record<string, { builds: number; longestDrawMs: number }>;
  /** The problem shown now (null: none), and every problem shown since the page loaded. */
  problem: string | null;
  problems: string[];
  /** The model file shown beside the run. */
  loaded: { fileName: string; description: string } | null;
  /** The worker's recent batch times per model (ms). */
  batchMs: Record<ModelName, number[]>;
  /** The longest main-thread task (PerformanceObserver 'longtask') and timer delay while playing (ms). */
  mainThread: { longestTaskMs: number; longestGapMs: number };
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');

const state: PlaygroundState = {
  settings: { ...DEFAULT_SETTINGS }, ready: false, playing: false, step: 0, evaluations: [], threads: 0, isolated: false,
  charts: {}, drawStats: {}, problem: null, problems: [], loaded: null, batchMs: { plstm: [], lstm: [] },
  mainThread: { longestTaskMs: 0, longestGapMs: 0 },
};
/** The settings of the run the worker has (a failed reset returns the controls to these). */
let activeSettings: PlaygroundSettings | null = null;
let resetPending = false;
let csvText: string | undefined;
const losses: Record<ModelName, History> = { plstm: { x: [], y: [] }, lstm: { x: [], y: [] } };
const metrics: Record<ModelName, History> = { plstm: { x: [], y: [] }, lstm: { x: [], y: [] } };
let latestViews: ModelView[] = [];
const board = new ChartBoard();
board.onError = (id, err) => showProblem(`chart ${id} failed to draw: ${err instanceof Error ? err.message : String(err)}`);

Object.defineProperty(window, 'playgroundState', {
  get: (): PlaygroundState => structuredClone({ ...state, charts: board.drawnCounts(), drawStats: board.drawStats() }),
});

// ----- problems: one line, nothing else changes

function showProblem(message: string): void {
  state.problem = message;
  state.problems.push(message);
  const el = $('problem');
  el.textContent = message;
  el.hidden = false;
}

function clearProblem(): void {
  state.problem = null;
  $('problem').hidden = true;
}

// ----- the controls <-> settings <-> URL

const controls = (): (HTMLInputElement | HTMLSelectElement)[] =>
  [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[name]')];

function writeControls(s: PlaygroundSettings): void {
  for (const el of controls()) el.value = String(s[el.name as keyof PlaygroundSettings]);
  showWhatApplies(s);
}

/** The settings in the controls, or a problem naming the field that is not a number. */
function readControls(): { settings: PlaygroundSettings } | { problem: string } {
  const s: Record<string, unknown> = { ...state.settings };
  for (const el of controls()) {
    if (el instanceof HTMLInputElement && el.type === 'number') {
      const v = el.value.trim() === '' ? NaN : Number(el.value);
      if (!Number.isFinite(v)) return { problem: `${el.name} must be a number` };
      s[el.name] = v;
    } else {
      s[el.name] = el.value;
    }
  }
  return { settings: s as unknown as PlaygroundSettings };
}

/** Shows the fields and panels of this task and these options (data-when="key=value"). */
function showWhatApplies(s: PlaygroundSettings): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-when]')) {
    const [key, value] = el.dataset.when!.split('=');
    el.hidden = String(s[key as keyof PlaygroundSettings]) !== value;
  }
}

function writeUrl(s: PlaygroundSettings): void {
  const query = settingsToQuery(s);
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
}

// ----- the worker

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => showProblem(`the training worker failed: ${e.message || 'could not start'}`);
const send = (msg: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(msg, transfer);

function reset(): void {
  setPlaying(false);
  resetPending = true;
  state.ready = false;
  send({ type: 'reset', settings: state.settings, csv: state.settings.series === 'user' ? csvText : undefined });
}

function setPlaying(on: boolean): void {
  state.playing = on;
  $<HTMLButtonElement>('play').disabled = on;
  $<HTMLButtonElement>('pause').disabled = !on;
  $<HTMLButtonElement>('step').disabled = on;
  if (on) state.mainThread = { longestTaskMs: 0, longestGapMs: 0 };
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case 'ready':
      resetPending = false;
      activeSettings = msg.settings;
      Object.assign(state, { ready: true, step: 0, evaluations: [], threads: msg.threads, isolated: msg.isolated });
      for (const m of MODELS) { losses[m] = { x: [], y: [] }; metrics[m] = { x: [], y: [] }; state.batchMs[m] = []; }
      $('step-count').textContent = '0';
      drawLoss(); // empty, so its view is built before training starts
      $('threads').textContent = msg.threads > 1 ? `${msg.threads} threads (cross-origin isolated)`
        : msg.isolated ? '1 thread (cross-origin isolated, one core)' : '1 thread: the page is not cross-origin isolated';
      board.remove('forecast');
      return;
    case 'steps':
      state.step = msg.step;
      $('step-count').textContent = String(msg.step);
      for (const s of msg.steps) {
        losses[s.model].x.push(msg.step);
        losses[s.model].y.push(s.loss);
        const times = state.batchMs[s.model];
        times.push(s.batchMs);
        if (times.length > BATCH_TIMES_KEPT) times.shift();
      }
      drawLoss();
      return;
    case 'evaluations':
      state.evaluations = msg.evaluations;
      for (const ev of msg.evaluations) { metrics[ev.model].x.push(ev.step); metrics[ev.model].y.push(ev.value); }
      drawMetric();
      return;
    case 'views':
      latestViews = msg.views;
      drawViews();
      return;
    case 'paused':
      setPlaying(false);
      return;
    case 'model-file':
      saveFile(msg.bytes, msg.fileName);
      return;
    case 'loaded':
      clearProblem();
      state.loaded = { fileName: msg.fileName, description: msg.description };
      drawLoaded(msg.view, msg.fileName, msg.description);
      return;
    case 'problem':
      showProblem(msg.message);
      if (resetPending && activeSettings !== null) {
        // the run of the new settings could not be built: the old run goes on
        resetPending = false;
        state.settings = activeSettings;
        state.ready = true;
        writeControls(activeSettings);
        writeUrl(activeSettings);
      }
      return;
  }
};

// ----- charts

const widthOf = (id: string): number => Math.max(240, Math.floor($(id).clientWidth || 480));

function drawLoss(): void {
  board.request('loss', $('chart-loss'), () => lossSpec(losses, widthOf('chart-loss')));
}

function drawMetric(): void {
  const latest = state.evaluations[0];
  if (latest === undefined) return;
  const text = METRIC_TEXT[latest.metric];
  $('metric-title').textContent = `${text.name[0].toUpperCase()}${text.name.slice(1)} (${text.baseline}: ${+latest.baseline.toPrecision(3)})`;
  board.request('metric', $('chart-metric'), () => metricSpec(metrics, latest, widthOf('chart-metric')));
}

function drawGates(container: HTMLElement, prefix: string, view: ModelView): void {
  // one chart element per gate, made once per gate name
  const ids = view.gates.map((g, i) => `${prefix}-${i}`);
  if (container.dataset.gates !== view.gates.map((g) => g.name).join('|')) {
    board.removePrefix(`${prefix}-`);
    container.replaceChildren(...ids.map((id) => Object.assign(document.createElement('div'), { id: `chart-${id}`, className: 'heatmap' })));
    container.dataset.gates = view.gates.map((g) => g.name).join('|');
  }
  view.gates.forEach((g, i) => board.requestDraw(ids[i], $(`chart-${ids[i]}`), (el) => new HeatmapCanvas(el), () => g));
}

function drawViews(): void {
  const byModel = new Map(latestViews.map((v) => [v.model, v]));
  const plstm = byModel.get('plstm');
  if (plstm?.p) {
    const p = plstm.p;
    board.request('p', $('chart-p'), () => pSpec([{ name: 'pLSTM', p }], widthOf('chart-p')));
  }
  const decay = latestViews.map((view) => ({ label: MODEL_LABEL[view.model], shades: shadesOf(view.model), view }));
  board.request('decay', $('chart-decay'), () => decaySpec(decay, widthOf('chart-decay')));
  for (const view of latestViews) drawGates($(`gates-${view.model}`), `gates-${view.model}`, view);
  const fp = plstm?.forecast, fl = byModel.get('lstm')?.forecast;
  if (state.settings.task === 'forecast' && fp && fl) {
    board.request('forecast', $('chart-forecast'), () => forecastSpec({ plstm: fp, lstm: fl }, widthOf('chart-forecast')));
  }
}

function drawLoaded(view: ModelView, fileName: string, description: string): void {
  $('loaded-panel').hidden = false;
  $('loaded-name').textContent = fileName;
  $('loaded-description').textContent = description;
  board.remove('loaded-p');
  const p = view.p;
  if (p) board.request('loaded-p', $('chart-loaded-p'), () => pSpec([{ name: fileName, p }], 420));
  else $('chart-loaded-p').replaceChildren();
  const decay = [{ label: fileName, shades: shadesOf(view.model), view }];
  board.request('loaded-decay', $('chart-loaded-decay'), () => decaySpec(decay, 420));
  drawGates($('gates-loaded'), 'gates-loaded', view);
}

// ----- files: download a model, load a model file, a CSV to forecast

function saveFile(bytes: ArrayBuffer, fileName: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function loadModelFile(file: File): Promise<void> {
  const bytes = await file.arrayBuffer();
  send({ type: 'load', bytes, fileName: file.name }, [bytes]);
}

async function useCsv(file: File): Promise<void> {
  csvText = await file.text();
  state.settings = { ...state.settings, task: 'forecast', series: 'user' };
  writeControls(state.settings);
  writeUrl(state.settings);
  reset();
}

const isCsv = (f: File): boolean => /\.(csv|txt)$/i.test(f.name) || f.type === 'text/csv';

// ----- wiring

function onSettingsChanged(): void {
  const read = readControls();
  if ('problem' in read) { showProblem(read.problem); return; }
  clearProblem();
  state.settings = read.settings;
  showWhatApplies(state.settings);
  writeUrl(state.settings);
  reset();
}

form.addEventListener('change', (e) => {
  const target = e.target as HTMLElement;
  if (target instanceof HTMLInputElement && target.type === 'file') return;
  onSettingsChanged();
});
$('play').addEventListener('click', () => { setPlaying(true); send({ type: 'play' }); });
$('pause').addEventListener('click', () => send({ type: 'pause' }));
$('step').addEventListener('click', () => send({ type: 'step' }));
$('reset').addEventListener('click', () => reset());
for (const m of MODELS) $(`download-${m}`).addEventListener('click', () => send({ type: 'download', model: m }));
$<HTMLInputElement>('model-file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  if (file) void loadModelFile(file);
  input.value = '';
});
$<HTMLInputElement>('csv-file').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  if (file) void useCsv(file);
  input.value = '';
});

let dragDepth = 0;
document.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth += 1; $('drop-hint').hidden = false; });
document.addEventListener('dragleave', () => { dragDepth = Math.max(0, dragDepth - 1); if (dragDepth === 0) $('drop-hint').hidden = true; });
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  dragDepth = 0;
  $('drop-hint').hidden = true;
  const file = e.dataTransfer?.files[0];
  if (!file) return;
  void (isCsv(file) ? useCsv(file) : loadModelFile(file));
});

// ----- how long the main thread is blocked while training

try {
  new PerformanceObserver((list) => {
    if (!state.playing) return;
    for (const entry of list.getEntries()) state.mainThread.longestTaskMs = Math.max(state.mainThread.longestTaskMs, entry.duration);
  }).observe({ type: 'longtask', buffered: false });
} catch {
  // no 'longtask' entries in this browser: the timer gap below still measures
}
const GAP_TICK_MS = 20;
let expectedAt = performance.now() + GAP_TICK_MS;
setInterval(() => {
  const now = performance.now();
  if (state.playing) state.mainThread.longestGapMs = Math.max(state.mainThread.longestGapMs, now - expectedAt);
  expectedAt = now + GAP_TICK_MS;
}, GAP_TICK_MS);

// ----- start: the settings of the URL

{
  const { settings, problems } = settingsFromQuery(location.search.replace(/^\?/, ''));
  state.settings = settings;
  writeControls(settings);
  writeUrl(settings);
  if (problems.length > 0) showProblem(`the address has settings that were left out: ${problems.join('; ')}`);
  reset();
}
