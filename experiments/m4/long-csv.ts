// The M4 Hourly train file as one long CSV (id,time,value) that `plstm forecast fit --id id`
// reads: hourly dates from 2017-01-02T00:00 for every series (M4 gives no start times, so the
// calendar features only know the position in the day and week). With --validation the last
// 48 values of each series are left out, as the M4 run's validation split does.
//
//   node --import tsx experiments/m4/long-csv.ts --train Hourly-train.csv --out m4-long.csv [--validation]

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { m4ValidationSplit, readM4Wide } from '../../src/forecast/index.js';

function fail(msg: string): never {
  console.error(`long-csv: ${msg}`);
  process.exit(2);
}

const { values: a } = (() => {
  try {
    return parseArgs({ options: { train: { type: 'string' }, out: { type: 'string' }, validation: { type: 'boolean', default: false } } });
  } catch (err) {
    fail((err as Error).message);
  }
})();
if (!a.train || !a.out) fail('give --train Hourly-train.csv and --out FILE.csv');
if (existsSync(a.out)) fail(`${a.out} exists; give another --out`);

const t0 = Date.UTC(2017, 0, 2), HOUR = 3_600_000;
const lines = ['id,time,value'];
for (const r of readM4Wide(readFileSync(a.train, 'utf8'))) {
  const values = a.validation ? m4ValidationSplit(r.values, 48).train : r.values;
  values.forEach((v, i) => lines.push(`${r.id},${new Date(t0 + i * HOUR).toISOString().slice(0, 16)},${v}`));
}
// written whole to a temporary file, then renamed
writeFileSync(`${a.out}.tmp`, lines.join('\n') + '\n');
renameSync(`${a.out}.tmp`, a.out);
