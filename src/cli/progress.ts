// What a user watches during training: a progress bar on stderr (only on a terminal) with
// rate and ETA, and one plain summary line per epoch on stdout.
import cliProgress from 'cli-progress';
import type { EpochRecord, TrainHooks } from '../experiments/trainer.js';

/** A number for a log line: 4 significant digits, percentages for accuracies. */
export function fmt(key: string, v: unknown): string {
  if (typeof v !== 'number') return String(v);
  if (/acc/.test(key)) return (100 * v).toFixed(2) + '%';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toPrecision(4) : v.toExponential(3);
}

/** "epoch 3/100  train_loss 0.1234  test_loss ...  best acc 97.10% (epoch 3)  12.3 s" */
export function epochLine(r: EpochRecord, epochs: number, best: string): string {
  const parts = [`epoch ${r.epoch}/${epochs}`, `train_loss ${fmt('loss', r.train_loss)}`];
  for (const [k, v] of Object.entries(r)) {
    if (k.startsWith('test_')) parts.push(`${k} ${fmt(k, v)}`);
  }
  parts.push(best, `${r.seconds.toFixed(1)} s`);
  return parts.join('  ');
}

/** Hooks that drive a progress bar; `line` prints the per-epoch summary. */
export function progressHooks(opts: { quiet: boolean; epochs: number; line: (r: EpochRecord, improved: boolean) => void }): TrainHooks & { stop(): void } {
  const show = !opts.quiet && process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: 'epoch {ep} |{bar}| {value}/{total} batches | {rate} batch/s | loss {loss} | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let t0 = 0, s0 = 0;
  const stop = () => { if (started) { bar.stop(); started = false; } };
  return {
    onEpochStart(epoch, batches, startStep) {
      if (!show) return;
      t0 = Date.now();
      s0 = startStep;
      bar.start(batches, startStep, { ep: `${epoch + 1}/${opts.epochs}`, rate: '-', loss: '-' });
      started = true;
    },
    onStep(_epoch, step, loss) {
      if (!started) return;
      const dt = (Date.now() - t0) / 1000;
      bar.update(step, { rate: dt > 0 ? ((step - s0) / dt).toFixed(2) : '-', loss: fmt('loss', loss) });
    },
    onEpochEnd(r, improved) {
      stop();
      opts.line(r, improved);
    },
    stop,
  };
}
