// Steps and training seconds until the playground's pLSTM reaches 40% held-out symbol accuracy on
// the copy task (chance 12.5%), for candidate settings: how DEFAULT_SETTINGS were picked.
// Usage: node --import tsx bench/playground/copy-steps.ts '[{"delay":15,"hidden":64,"lr":0.01,"batchSize":64}]' [threads]
import { PlaygroundRun, DEFAULT_SETTINGS } from '../../playground/src/engine/index.js';
const cands = JSON.parse(process.argv[2]);
const threads = Number(process.argv[3] ?? 1);
for (const c of cands) {
  const run = await PlaygroundRun.create({ ...DEFAULT_SETTINGS, task: 'copy', ...c }, { threads });
  let trainMs = 0, hit: string | null = null, acc = 0, lacc = 0, step = 0;
  const cap = 2000;
  while (step < cap) {
    const r = await run.step();
    step = r.step;
    trainMs += r.steps.reduce((s, x) => s + x.batchMs, 0);
    if (step % 25 === 0) {
      const ev = run.evaluate();
      acc = ev[0].value; lacc = ev[1].value;
      if (acc >= 0.4) { hit = `${step}`; break; }
    }
  }
  console.log(JSON.stringify({ ...c, threads: run.threads, stepsTo40: hit ?? `>${cap}`, trainSeconds: +(trainMs / 1000).toFixed(1), msPerStepBoth: +(trainMs / step).toFixed(1), plstmAcc: +acc.toFixed(3), lstmAcc: +lacc.toFixed(3) }));
  run.dispose();
}
