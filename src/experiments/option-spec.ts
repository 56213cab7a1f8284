// One training option as a table entry: its key, type, default, help and bound check. The
// CLI's flags and help text, the defaults of `plstm train` and the checks of resolveOptions
// all come from these entries (core options in core-options.ts, each task's own in its file).
import type { SettingCheck } from '../cells/bounds.js';

/** How a flag's text becomes a value (and what a value must be). */
export type OptionType =
  | 'int'
  | 'number'
  | 'string'
  /** two numbers "lo,hi" */
  | 'pair'
  | { choices: readonly string[] };

/** The options a run has so far, for the checks that look at other options. */
export type OptionValues = Readonly<Record<string, unknown>>;

export interface OptionSpec {
  /** The key in TrainOptions (camelCase); the flag is its kebab-case form: trainSamples -> --train-samples. */
  key: string;
  /** The name of the value in help: `--delay <T>`. */
  arg: string;
  /** The value's type; a flag's text is parsed by it. */
  type: OptionType;
  /** The default; null means "none" (or "all" for sample counts) and makes null a valid value. */
  default: unknown;
  /** What the option does, one short phrase (defaults are appended from the table). */
  help: string;
  /** The bound: null when fine, else what the value must be. Shared with the model/cell checks where one exists. */
  check?: SettingCheck;
  /**
   * When the user set this option (it differs from the default), whether it means anything
   * in this run: null when it does, else why not ("is an LSTM setting; ...").
   */
  appliesWhen?: (o: OptionValues) => string | null;
  /** When set, the option has no usable default: a run needs it; this says what to give. */
  required?: string;
  /** Also a flag of `plstm eval` (the data a task reads, where the model runs). */
  eval?: boolean;
}

/** CLI spelling of an option key, for flags and messages: trainSamples -> --train-samples. */
export function flagOf(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** What a value of this type must be, or null when it is one. */
export function typeProblem(type: OptionType, v: unknown): string | null {
  if (type === 'int') return typeof v === 'number' && Number.isInteger(v) ? null : 'must be an integer';
  if (type === 'number') return typeof v === 'number' && Number.isFinite(v) ? null : 'must be a number';
  if (type === 'string') return typeof v === 'string' && v !== '' ? null : 'must be a non-empty string';
  if (type === 'pair') {
    return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x))
      ? null : 'must be two numbers lo,hi';
  }
  return type.choices.includes(v as string) ? null : `must be one of ${type.choices.join(', ')}`;
}

/** How a default reads in help text. */
export function showDefault(v: unknown): string {
  if (v === null) return 'none';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}
