// The flags of `plstm train` (and the data flags `plstm eval` shares), made from the option
// tables: the core table and every task's own (src/experiments). Each flag's parser, help and
// defaults come from its table entry; a flag the user did not give stays undefined here so
// the task's default applies. Bounds are checked once, by resolveOptions.
import { InvalidArgumentError, type Command } from 'commander';
import { CORE_OPTIONS } from '../experiments/core-options.js';
import { flagOf, showDefault, type OptionSpec, type OptionType } from '../experiments/option-spec.js';
import { TASK_DEFINITIONS, TASK_NAMES, type TaskName, type TrainOptions } from '../experiments/registry.js';

/** A flag's text -> a value of the entry's type (the bound is resolveOptions' to check). */
export function parserOf(flag: string, type: OptionType): (v: string) => unknown {
  const number = (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number, got "${v}"`);
    return n;
  };
  if (type === 'number') return number;
  if (type === 'int') {
    return (v) => {
      const n = number(v);
      if (!Number.isInteger(n)) throw new InvalidArgumentError(`${flag} must be an integer, got "${v}"`);
      return n;
    };
  }
  if (type === 'string') return (v) => v;
  if (type === 'pair') {
    return (v) => {
      const parts = v.split(',').map((s) => Number(s));
      if (parts.length !== 2 || parts.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`${flag} must be two numbers lo,hi, got "${v}"`);
      return parts;
    };
  }
  return (v) => {
    if (!type.choices.includes(v)) throw new InvalidArgumentError(`${flag} must be one of ${type.choices.join(', ')}, got "${v}"`);
    return v;
  };
}

/** One flag per key: a core option, or a task option that one or more tasks declare. */
interface Flag {
  spec: OptionSpec;
  help: string;
}

/** "a 1; b/c 2": values with the tasks that give them, in table order. */
function grouped(pairs: [TaskName, string][], sep = ' '): string {
  const by = new Map<string, TaskName[]>();
  for (const [t, v] of pairs) by.set(v, [...(by.get(v) ?? []), t]);
  return [...by].map(([v, ts]) => `${ts.join('/')}${sep}${v}`).join('; ');
}

/** "(default 128; charlm 256)": the core default and the tasks that change it. */
function coreHelp(s: OptionSpec): string {
  const changed = TASK_NAMES.filter((t) => s.key in TASK_DEFINITIONS[t].defaults)
    .map((t): [TaskName, string] => [t, showDefault((TASK_DEFINITIONS[t].defaults as Record<string, unknown>)[s.key])]);
  return `${s.help} (default ${showDefault(s.default)}${changed.length > 0 ? '; ' + grouped(changed) : ''})`;
}

/** A task option's help: each declaring task's phrase and default, merged where they agree. */
function taskHelp(key: string, decl: [TaskName, OptionSpec][]): string {
  const text = grouped(decl.map(([t, s]) => [t, s.help]), ': ');
  if (decl.some(([, s]) => s.required !== undefined)) return `${text} (required)`;
  const defaults = decl.map(([t, s]): [TaskName, string] => [t, s.default === null && /Samples$/.test(key) ? 'all' : showDefault(s.default)]);
  const one = new Set(defaults.map(([, d]) => d)).size === 1;
  return `${text} (default ${one ? defaults[0][1] : grouped(defaults)})`;
}

function allFlags(): Flag[] {
  const flags: Flag[] = CORE_OPTIONS.map((s) => ({ spec: s, help: coreHelp(s) }));
  const byKey = new Map<string, [TaskName, OptionSpec][]>();
  for (const t of TASK_NAMES) {
    for (const s of TASK_DEFINITIONS[t].options) byKey.set(s.key, [...(byKey.get(s.key) ?? []), [t, s]]);
  }
  for (const [key, decl] of byKey) {
    const types = new Set(decl.map(([, s]) => JSON.stringify(s.type)));
    // one flag parses every task's value: the tables must agree on its type
    if (types.size !== 1) throw new Error(`option ${key} has different types in ${decl.map(([t]) => t).join(', ')}`);
    flags.push({ spec: decl[0][1], help: taskHelp(key, decl) });
  }
  return flags;
}

function addFlags(cmd: Command, flags: Flag[]): Command {
  for (const { spec, help } of flags) {
    const flag = flagOf(spec.key);
    cmd.option(`${flag} <${spec.arg}>`, help, parserOf(flag, spec.type));
  }
  return cmd;
}

/** The data flags: which samples a task reads and where it runs (train and eval). */
export function addDataOptions(cmd: Command): Command {
  addFlags(cmd, allFlags().filter((f) => f.spec.eval));
  return cmd.option('--limit <n>', 'use at most n training and n test samples of a dataset (a seeded random subset)',
    parserOf('--limit', 'int'));
}

/** Every flag of `plstm train`: the options of every table and the run's own flags. */
export function addTrainOptions(cmd: Command): Command {
  cmd.option('--task <name>', TASK_NAMES.join(' | '));
  addFlags(cmd, allFlags().filter((f) => !f.spec.eval));
  return addDataOptions(cmd)
    .option('--out <dir>', 'output folder: config, metrics.jsonl, best and last checkpoints')
    .option('--force', 'overwrite the results in an existing --out')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--json', 'print only one JSON line of the final metrics on stdout (progress and epoch lines go to stderr)')
    .option('--quiet', 'no progress bar');
}

/** Commander's parsed flags -> the TrainOptions the user set (others undefined). */
export function givenOptions(f: Record<string, unknown>): Partial<TrainOptions> {
  const g: Record<string, unknown> = {};
  for (const { spec } of allFlags()) if (f[spec.key] !== undefined) g[spec.key] = f[spec.key];
  if (f.limit !== undefined) {
    const n = f.limit as number;
    if (g.trainSamples === undefined) g.trainSamples = n;
    if (g.testSamples === undefined) g.testSamples = n;
  }
  return g as Partial<TrainOptions>;
}
