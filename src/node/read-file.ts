// Reads a data file whole, unzipping it when it starts with the gzip magic bytes (1f 8b),
// so every loader accepts both `file` and `file.gz` without being told which.
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { isGzip } from '../data/gzip.js';

/** The file's bytes, gunzipped if gzipped. Missing, unreadable or corrupt -> DataError naming the file. */
export function readMaybeGzip(file: string): Buffer {
  let raw: Buffer;
  try {
    if (statSync(file).isDirectory()) throw new DataError(`${file} is a folder, not a data file`);
    raw = readFileSync(file);
  } catch (err) {
    if (err instanceof DataError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`data file not found: ${file}`);
    throw new DataError(`cannot read data file ${file}: ${(err as Error).message}`);
  }
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (err) {
    throw new DataError(`${file} looks gzipped but does not unzip (${(err as Error).message}); the file is corrupt or truncated`);
  }
}

/** The file as UTF-8 text (gunzipped if needed). */
export function readMaybeGzipText(file: string): string {
  return readMaybeGzip(file).toString('utf8');
}
