// The baselines timed beside our model, each in its own process:
//   PyTorch (torch/bench_torch.py): the pLSTM cell as the authors wrote it, called per step
//     from a Python loop and with the whole time loop compiled by TorchScript, and
//     torch.nn.LSTM, at each thread count;
//   TF.js (tfjs/bench_tfjs.mjs): tf.layers.lstm on its wasm backend.
// A baseline whose runtime is missing (no Python that imports torch) is skipped with the reason.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchMode } from '../src/bench/config.js';

/** One JSON line of a baseline script (fields as printed by the scripts). */
export interface BaselineResult {
  source: 'torch' | 'tfjs';
  impl: string;
  mode: BenchMode;
  B: number; T: number; H: number; I: number; O: number;
  threads: number;
  reps: number;
  median_s: number;
  min_s: number;
  times_s: number[];
  [extra: string]: unknown;
}

/** What a baseline run produced: its lines, or why it did not run. */
export interface BaselineRun {
  results: BaselineResult[];
  skipped?: string;
}

export interface BaselineShape {
  mode: BenchMode;
  B: number; T: number; H: number; I: number; O: number;
}

/** Path of a script beside this file. */
function benchScript(rel: string): string {
  return fileURLToPath(new URL(rel, import.meta.url));
}

/**
 * The first Python that can import torch: $PLSTM_PYTHON, then python3 on the PATH, then
 * /usr/bin/python3 (a system torch is often installed only for the system Python).
 */
export function findTorchPython(): string | null {
  const candidates = [process.env.PLSTM_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => typeof c === 'string' && c.length > 0);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0) return py;
  }
  return null;
}

/** Runs a command, collecting stdout; stderr is kept for the error message. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function parseLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

export interface TorchOptions {
  /** Implementations of bench_torch.py (plstm-cell, plstm-script, lstm-nn, lstm-cell). */
  impls: string[];
  threads: number[];
  reps: number;
  warmup: number;
  timeoutMs?: number;
}

/**
 * PyTorch implementations timed beside `cells`. Training a pLSTM: the per-step cell in a Python
 * loop, the same cell with the loop inside TorchScript too (how the authors' copy-task code
 * scripts its layer), and torch.nn.LSTM (one library call per sequence), so that the headline
 * is against the fastest of the three; an LSTM: torch.nn.LSTM. Streaming has one call per
 * step whatever the implementation: the per-step cells.
 */
export function defaultTorchImpls(mode: BenchMode, cells: readonly string[]): string[] {
  const plstm = cells.includes('plstm'), lstm = cells.includes('lstm');
  if (mode === 'infer-step') return [...(plstm ? ['plstm-cell'] : []), ...(lstm ? ['lstm-cell'] : [])];
  return [...(plstm ? ['plstm-cell', 'plstm-script'] : []), ...(plstm || lstm ? ['lstm-nn'] : [])];
}

/** Times the PyTorch baselines, or says why they were skipped. */
export async function runTorchBaseline(s: BaselineShape, o: TorchOptions): Promise<BaselineRun> {
  const script = benchScript('torch/bench_torch.py');
  const py = findTorchPython();
  if (py === null) return { results: [], skipped: 'PyTorch skipped: no python3 here can import torch (set PLSTM_PYTHON to one that can)' };
  const args = [script, '--mode', s.mode, '--impls', o.impls.join(','),
    '--batch', String(s.B), '--steps', String(s.T), '--hidden', String(s.H),
    '--input', String(s.I), '--output', String(s.O),
    '--threads', o.threads.join(','), '--reps', String(o.reps), '--warmup', String(o.warmup)];
  const r = await run(py, args, o.timeoutMs ?? 30 * 60_000);
  const results = parseLines(r.stdout) as unknown as BaselineResult[];
  if (r.code !== 0) {
    return { results, skipped: `PyTorch baseline failed (exit ${r.code}): ${lastLine(r.stderr)}` };
  }
  return { results };
}

export interface TfjsOptions {
  reps: number;
  warmup: number;
  timeoutMs?: number;
}

/**
 * Times the TF.js LSTM layer on its wasm backend (training only; single-threaded, as TF.js's
 * wasm backend always is in Node), or says why it was skipped.
 */
export async function runTfjsBaseline(s: BaselineShape, o: TfjsOptions): Promise<BaselineRun> {
  if (s.mode !== 'train') return { results: [], skipped: 'TF.js skipped: it is timed for training batches only' };
  const script = benchScript('tfjs/bench_tfjs.mjs');
  const args = [script, '--batch', String(s.B), '--steps', String(s.T), '--hidden', String(s.H),
    '--input', String(s.I), '--output', String(s.O),
    '--reps', String(o.reps), '--warmup', String(o.warmup)];
  const r = await run(process.execPath, args, o.timeoutMs ?? 30 * 60_000);
  const lines = parseLines(r.stdout);
  const skip = lines.find((l) => typeof l.skipped === 'string');
  if (skip) return { results: [], skipped: `TF.js skipped: ${String(skip.skipped)}` };
  if (r.code !== 0) return { results: [], skipped: `TF.js baseline failed (exit ${r.code}): ${lastLine(r.stderr)}` };
  return { results: lines as unknown as BaselineResult[] };
}
