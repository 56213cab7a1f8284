// Conformance fixtures from files (Node).
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import { parseFixture, type Fixture } from '../conformance/fixture.js';

/** Reads and parses a fixture file; a missing, unreadable or foreign file is a DataError. */
export function loadFixture(file: string): Fixture {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})`;
    throw new DataError(`fixture ${file}: ${why}`);
  }
  return parseFixture(text, file);
}
