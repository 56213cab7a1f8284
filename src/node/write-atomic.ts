// Files written whole or not at all: into a temporary file beside the target, then renamed
// over it (a rename within one folder is atomic). Never replaces a user's file unless asked.

import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../errors.js';

/** Throws DataError when `path` exists and force is not set. */
export function refuseOverwrite(path: string, force: boolean): void {
  if (!force && existsSync(path)) throw new DataError(`${path} exists: choose another path or pass --force to replace it`);
}

/** Writes several files so that none is left half-written: all temporaries first, then the renames. */
export function writeFilesAtomic(files: { path: string; data: string | Uint8Array }[], force: boolean): void {
  for (const f of files) refuseOverwrite(f.path, force);
  const temps: string[] = [];
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
      writeFileSync(tmp, f.data);
      temps.push(tmp);
    }
  } catch (err) {
    for (const t of temps) rmSync(t, { force: true });
    throw err;
  }
  files.forEach((f, i) => renameSync(temps[i], f.path));
}
