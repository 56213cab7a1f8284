// A training loop that runs one batch at a time on request. The forecaster trains through the
// library's fit(), which drives its own loop; the playground wants "one batch of each model"
// per step() on every task. So the fit runs with callbacks that hold it before every step
// until step() gives it a permit, and step() resolves when that batch has ended.

import type { FitCallbacks } from 'powerlaw-lstm';

/** What one batch did. */
export interface SteppedBatch {
  loss: number;
  /** Wall time from the permit to the end of the step (building the batch and training on it). */
  ms: number;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class SteppedFit {
  private permits = 0;
  private waiting: (() => void) | null = null;
  private pending: { resolve: (b: SteppedBatch) => void; reject: (e: unknown) => void } | null = null;
  private started = 0;
  private stopped = false;
  /** Why the fit ended on its own (an error, or a reason such as 'diverged'); null while it runs. */
  private ended: unknown = null;
  private readonly run: Promise<void>;

  /**
   * start(callbacks) begins the fit with these callbacks among its own and returns its
   * promise; endReason maps what the fit returned to an error (or null when it just ended).
   */
  constructor(start: (callbacks: FitCallbacks[]) => Promise<unknown>, endReason: (result: unknown) => unknown) {
    const callbacks: FitCallbacks = {
      onStepStart: async () => {
        if (this.stopped) return 'stop';
        await this.permit();
        if (this.stopped) return 'stop';
        this.started = now();
      },
      onStepEnd: (ctx) => {
        const p = this.pending;
        this.pending = null;
        p?.resolve({ loss: ctx.loss ?? NaN, ms: now() - this.started });
      },
    };
    this.run = start([callbacks]).then(
      (result) => { this.finish(endReason(result) ?? new Error('training ended')); },
      (err) => { this.finish(err); });
  }

  private finish(reason: unknown): void {
    this.ended = reason;
    const p = this.pending;
    this.pending = null;
    p?.reject(reason);
  }

  private permit(): Promise<void> {
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise((resolve) => { this.waiting = resolve; });
  }

  /** Lets the fit run one training step; resolves with its loss and time. */
  step(): Promise<SteppedBatch> {
    if (this.ended !== null) return Promise.reject(this.ended);
    if (this.pending !== null) return Promise.reject(new Error('a step is already running'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      const w = this.waiting;
      this.waiting = null;
      if (w !== null) w();
      else this.permits++;
    });
  }

  /** Ends the fit at its next step boundary; resolves when it has returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.waiting;
    this.waiting = null;
    w?.();
    await this.run;
  }
}
