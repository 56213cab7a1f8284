// Milliseconds per playground step (one batch of both models), per views() and per evaluate() at
// the default settings. Usage: node --import tsx bench/playground/step-time.ts [threads]
import { PlaygroundRun, DEFAULT_SETTINGS } from '../../playground/src/engine/index.js';
const threads = Number(process.argv[2] ?? 1);
const run = await PlaygroundRun.create(DEFAULT_SETTINGS, { threads });
for (let i = 0; i < 20; i++) await run.step();
const n = 100;
let ms = 0;
const t0 = performance.now();
for (let i = 0; i < n; i++) ms += (await run.step()).steps.reduce((s, x) => s + x.batchMs, 0);
const wall = (performance.now() - t0) / n;
const vt: number[] = [];
for (let i = 0; i < 10; i++) { const t = performance.now(); run.views(); vt.push(performance.now() - t); }
vt.sort((a, b) => a - b);
const et: number[] = [];
for (let i = 0; i < 5; i++) { const t = performance.now(); run.evaluate(); et.push(performance.now() - t); }
et.sort((a, b) => a - b);
console.log(JSON.stringify({ threads: run.threads, msPerStepBoth: +(ms / n).toFixed(2), wallMsPerStep: +wall.toFixed(2), viewsMsMedian: +vt[5].toFixed(1), viewsMsMin: +vt[0].toFixed(1), evaluateMsMedian: +et[2].toFixed(1) }));
run.dispose();
