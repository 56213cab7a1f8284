// Files written whole or not at all: into a temporary file beside the target, flushed to
// disk, then renamed over it (a rename within one folder is atomic), so a crash never leaves
// a half-written file. Never replaces a user's file unless asked. The one way this package
// writes files that matter (model files, run files, forecasts, plots, reports).

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../errors.js';

/** Makes temporary names unique within this process. */
let tempCounter = 0;

/** Throws DataError when `path` exists and force is not set. */
export function refuseOverwrite(path: string, force: boolean): void {
  if (!force && existsSync(path)) throw new DataError(`${path} exists: choose another path or pass --force to replace it`);
}

/** Writes `data` to a new temporary file beside `path`, flushed to disk; returns its name. */
function writeTemp(path: string, data: string | Uint8Array): string {
  tempCounter += 1;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}

/** Writes one file atomically, replacing `path` if it exists (callers that must not, check first). Its folder must exist. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = writeTemp(path, data);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes several files so that none is left half-written: all temporaries first, then the renames. */
export function writeFilesAtomic(files: { path: string; data: string | Uint8Array }[], force: boolean): void {
  for (const f of files) refuseOverwrite(f.path, force);
  const temps: string[] = [];
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      temps.push(writeTemp(f.path, f.data));
    }
    files.forEach((f, i) => renameSync(temps[i], f.path));
  } catch (err) {
    for (const t of temps) rmSync(t, { force: true }); // the renamed ones are gone already
    throw err;
  }
}
