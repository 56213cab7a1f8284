// The output folder of a run:
//   config.json        every option of the run and the model config (written first)
//   metrics.jsonl      one JSON line per epoch ({"type":"epoch",...}) and per logged step ({"type":"step",...})
//   last.safetensors   the latest checkpoint (model, optimizer, progress): what --resume reads
//   best.safetensors   the checkpoint with the best primary metric so far
//   final.json         the final metrics, written when the run ends (also on Ctrl-C)
// Every file except metrics.jsonl is written atomically (temp file in the folder, then rename).
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../node/write-atomic.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  last: 'last.safetensors',
  best: 'best.safetensors',
  final: 'final.json',
} as const;

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** True when the folder holds results of a run. */
export function hasResults(dir: string): boolean {
  return Object.values(RUN_FILES).some((f) => existsSync(join(dir, f)));
}

/**
 * Makes `dir` ready for a fresh run. An existing run is not touched unless `force`, which
 * removes only the run's own files (other files in the folder stay).
 */
export function prepareFreshRunDir(dir: string, force: boolean): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`--out ${dir} is a file, not a folder`);
  if (existsSync(dir) && hasResults(dir)) {
    if (!force) throw new ConfigError(`--out ${dir} already holds results; use --force to overwrite them or --resume to continue`);
    for (const f of Object.values(RUN_FILES)) rmSync(join(dir, f), { force: true });
  }
  mkdirSync(dir, { recursive: true });
}

/** Appends one JSON line to metrics.jsonl. */
export function appendMetrics(dir: string, record: Record<string, unknown>): void {
  appendFileSync(join(dir, RUN_FILES.metrics), JSON.stringify(record) + '\n');
}

/** Keeps only the metric lines up to `globalStep` (a resumed run rewrites what came after). */
export function truncateMetrics(dir: string, globalStep: number): void {
  const file = join(dir, RUN_FILES.metrics);
  if (!existsSync(file)) return;
  const keep = readFileSync(file, 'utf8').split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      return (JSON.parse(line) as { global_step?: number }).global_step! <= globalStep;
    } catch {
      return false; // a line cut off by a crash
    }
  });
  writeFileAtomic(file, keep.map((l) => l + '\n').join(''));
}

/** Reads metrics.jsonl as records. */
export function readMetrics(dir: string): Record<string, unknown>[] {
  const file = join(dir, RUN_FILES.metrics);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}
