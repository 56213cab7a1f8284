// The training worker: owns the PlaygroundRun (both models and their data) so training never
// blocks the page. Commands arrive as ToWorker messages; everything the page draws leaves as
// FromWorker messages. The play loop yields to the event loop after every batch, so 'pause'
// (or any other command) is handled between two batches.
/// <reference lib="webworker" />
import { PlaygroundProblem, PlaygroundRun } from './engine/index.js';
import type { FromWorker, PlaygroundSettings, ToWorker } from './protocol.js';

declare const self: DedicatedWorkerGlobalScope;

/** Wall time between two evaluations (+ views) while playing: often enough to watch, rarely enough not to slow training. */
const REPORT_EVERY_MS = 400;

let run: PlaygroundRun | null = null;
let playing = false;
/** Bumped by every reset: a play loop of an older run stops. */
let generation = 0;
let lastReportAt = 0;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

/** One line for the page: the message of a PlaygroundProblem, else the error's first line. */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split('\n')[0].trim() || 'unknown error';
  return err instanceof PlaygroundProblem ? first : `${err instanceof Error ? err.name : 'Error'}: ${first}`;
}

// Commands run one at a time (a step, a download and a load never interleave).
let queue: Promise<unknown> = Promise.resolve();
function exclusive(task: () => Promise<void> | void): Promise<void> {
  const next = queue.then(task).catch((err) => post({ type: 'problem', message: oneLine(err) }));
  queue = next;
  return next;
}

// A MessageChannel hop yields to the event loop without setTimeout's 4 ms clamp.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(null); });
}

/** How many threads the kernels may use: more than one only where the page is cross-origin isolated. */
function threadsWanted(): number {
  if (!self.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
}

async function report(r: PlaygroundRun): Promise<void> {
  lastReportAt = performance.now();
  post({ type: 'evaluations', evaluations: await r.evaluate() });
  post({ type: 'views', views: r.views() });
}

async function trainOneBatch(r: PlaygroundRun): Promise<void> {
  const { step, steps } = await r.step();
  post({ type: 'steps', step, steps });
}

async function reset(settings: PlaygroundSettings, csv: string | undefined): Promise<void> {
  // the new run replaces the old one only once it exists: a bad CSV leaves the old run working
  const next = await PlaygroundRun.create(settings, { csv, threads: threadsWanted() });
  run?.dispose();
  run = next;
  post({ type: 'ready', threads: next.threads, isolated: self.crossOriginIsolated, settings });
  await report(next);
}

async function playLoop(gen: number): Promise<void> {
  let failed = false;
  while (playing && gen === generation && !failed) {
    await exclusive(async () => {
      if (!playing || gen !== generation || run === null) return;
      try {
        await trainOneBatch(run);
        if (performance.now() - lastReportAt >= REPORT_EVERY_MS) await report(run);
      } catch (err) {
        failed = true;
        throw err;
      }
    });
    await yieldToEvents();
  }
  if (gen !== generation) return; // a reset stopped this loop; it says 'ready' itself
  playing = false;
  await exclusive(async () => { if (run !== null) await report(run); });
  post({ type: 'paused' });
}

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case 'reset':
      // stop the play loop now, not after the batches queued before the reset
      generation += 1;
      playing = false;
      void exclusive(() => reset(msg.settings, msg.csv));
      return;
    case 'play':
      if (playing) return;
      playing = true;
      void playLoop(generation);
      return;
    case 'pause':
      playing = false;
      return;
    case 'step':
      if (playing) return;
      void exclusive(async () => {
        if (run === null) throw new PlaygroundProblem('no run yet: reset first');
        await trainOneBatch(run);
        await report(run);
      });
      return;
    case 'download':
      void exclusive(() => {
        if (run === null) throw new PlaygroundProblem('no run yet: reset first');
        const { bytes, fileName } = run.modelFile(msg.model);
        const copy = bytes.slice().buffer; // a buffer of its own, moved to the page
        post({ type: 'model-file', model: msg.model, bytes: copy, fileName }, [copy]);
      });
      return;
    case 'load':
      void exclusive(() => {
        if (run === null) throw new PlaygroundProblem('no run yet: reset first');
        const { view, description } = run.inspect(new Uint8Array(msg.bytes), msg.fileName);
        post({ type: 'loaded', fileName: msg.fileName, view, description });
      });
      return;
    default:
      post({ type: 'problem', message: `unknown command ${JSON.stringify((msg as { type?: unknown }).type)}` });
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => handle(e.data);
self.onerror = (e) => { post({ type: 'problem', message: `worker error: ${String(e instanceof ErrorEvent ? e.message : e)}` }); };
