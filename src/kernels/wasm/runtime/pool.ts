// A small pool of worker threads that run kernel calls on the SAME shared WebAssembly
// memory as the calling thread. A job is one kernel export plus its arguments; `run`
// gives job 0 to the calling thread and one job to each worker, then joins synchronously
// (Atomics.wait on a shared counter). Workers are unref()'d: an idle pool never keeps a
// Node process alive. The worker code is an inline string, so it works the same from the
// TS sources and from dist/, in Node (worker_threads) and in browsers (Web Workers).
//
// Jobs travel through shared memory, not postMessage: each worker has a slot (a sequence
// number, the export's index, the arguments as float64) and waits on its sequence number,
// spinning briefly first. A postMessage had to wake the worker's event loop: 170-330 us
// before a worker started a job that the calling thread had begun at once, on each of the
// ~9 calls of a copy-task training batch (workbench README).
import type { KernelExports } from './module.js';

/** One kernel call: the export's name and its (numeric) arguments. */
export interface KernelJob {
  fn: keyof KernelExports;
  args: number[];
}

// Control words (Int32Array over a SharedArrayBuffer), then one slot of SLOT words per worker.
const DONE = 0; // jobs finished in the current run
const FAILED = 1; // set when a worker's kernel call threw
const READY = 2; // workers that have instantiated the module
const SLOTS = 4; // first slot: [sequence number (-1: stop), export index, argument count, -]
const SLOT = 4;
const MAX_ARGS = 32; // float64 arguments per slot
// How long a worker polls for its next job before it sleeps in Atomics.wait, and the caller
// for the workers' results. Measured with postMessage, workers started their share 20-460 us
// after the caller; polling, 0-30 us in most runs (workbench README). A training batch's runs
// follow each other within a few hundred us, so the workers mostly stay awake for a whole
// batch. OpenMP runtimes spin the same way (GOMP_SPINCOUNT).
const SPIN_MS = 2;

// The loop every worker runs once it has instantiated the module (Node and browsers alike).
const WORKER_LOOP = `
function serve(module, memory, ctrl, argBuf, slot, spinMs) {
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = WebAssembly.Module.exports(module).map((e) => ex[e.name]);
  const c = new Int32Array(ctrl), a = new Float64Array(argBuf);
  const seq = ${SLOTS} + slot * ${SLOT}, a0 = slot * ${MAX_ARGS};
  Atomics.add(c, ${READY}, 1); Atomics.notify(c, ${READY});
  let seen = 0;
  for (;;) {
    let s = Atomics.load(c, seq);
    for (const until = performance.now() + spinMs; s === seen && performance.now() < until;) {
      for (let i = 0; s === seen && i < 256; i++) s = Atomics.load(c, seq);
    }
    while (s === seen) { Atomics.wait(c, seq, seen); s = Atomics.load(c, seq); }
    if (s < 0) return;
    seen = s;
    const n = c[seq + 2], args = new Array(n);
    for (let i = 0; i < n; i++) args[i] = a[a0 + i];
    try { fns[c[seq + 1]](...args); } catch (e) { Atomics.store(c, ${FAILED}, 1); }
    Atomics.add(c, ${DONE}, 1); Atomics.notify(c, ${DONE});
  }
}
`;

// getBuiltinModule works whether Node evaluates this as CommonJS or as an ES module.
const NODE_WORKER = `${WORKER_LOOP}
const { workerData } = typeof require === 'function'
  ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
serve(workerData.module, workerData.memory, workerData.ctrl, workerData.args, workerData.slot, workerData.spinMs);
`;

const WEB_WORKER = `${WORKER_LOOP}
self.onmessage = (e) => { const d = e.data; serve(d.module, d.memory, d.ctrl, d.args, d.slot, d.spinMs); };
`;

interface AnyWorker {
  postMessage(msg: unknown): void;
  terminate(): unknown;
}

type NodeWorkerThreads = typeof import('node:worker_threads');

function nodeWorkerThreads(): NodeWorkerThreads | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function') return null;
  return proc.getBuiltinModule('node:worker_threads') as NodeWorkerThreads;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
export function canBlock(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; document?: unknown };
  if (g.process?.versions?.node) return true;
  return typeof g.document === 'undefined';
}

/** The number of cores this process may use. */
export function availableCores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  if (os) return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

export class WorkerPool {
  private readonly workers: AnyWorker[] = [];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array; // [count, MAX_ARGS] the arguments of each worker's job
  private readonly exportIndex: Map<string, number>;
  private readonly blocking: boolean;
  private readonly spinMs: number;
  private disposed = false;
  /** Jobs handed to workers so far (the rest ran on calling threads). */
  remoteJobs = 0;
  private started = false;
  private waitedForReady = false;

  /**
   * A pool of `count` workers on `module` + `memory` (shared), started on first use (so a
   * backend that never runs a big batch never starts a thread). Starting never fails the
   * caller: where workers are unavailable the pool simply has none, and every job runs on
   * the calling thread.
   */
  constructor(private readonly module: WebAssembly.Module, private readonly memory: WebAssembly.Memory,
    private readonly count: number) {
    // A pool without workers (one thread, e.g. a page that is not cross-origin isolated,
    // where SharedArrayBuffer does not exist) keeps its control words in plain memory.
    const Buf = count > 0 ? SharedArrayBuffer : ArrayBuffer;
    this.ctrl = new Int32Array(new Buf(4 * (SLOTS + Math.max(0, count) * SLOT)));
    this.args = new Float64Array(new Buf(8 * Math.max(1, count) * MAX_ARGS));
    this.exportIndex = new Map(WebAssembly.Module.exports(module).map((e, i) => [e.name, i]));
    this.blocking = canBlock();
    // more threads than cores: a polling thread would take a core from one with work to do
    this.spinMs = count + 1 <= availableCores() ? SPIN_MS : 0;
  }

  private start(): void {
    this.started = true;
    const { module, memory, count } = this;
    if (count <= 0 || !this.blocking || this.disposed) return;
    const wt = nodeWorkerThreads();
    for (let i = 0; i < count; i++) {
      try {
        if (wt) {
          // execArgv []: the worker needs no loaders or flags of the parent (e.g. --import tsx)
          const w = new wt.Worker(NODE_WORKER, {
            eval: true, execArgv: [], workerData: { module, memory, ctrl: this.ctrl.buffer, args: this.args.buffer, slot: i, spinMs: this.spinMs },
          });
          // a worker that dies only loses its share: jobs then run on the calling thread
          w.on('error', () => this.drop(w));
          w.on('exit', () => this.drop(w));
          w.unref();
          this.workers.push(w);
        } else if (typeof Worker !== 'undefined' && typeof Blob !== 'undefined') {
          const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
          const w = new Worker(url);
          w.postMessage({ module, memory, ctrl: this.ctrl.buffer, args: this.args.buffer, slot: i, spinMs: this.spinMs });
          this.workers.push(w);
        }
      } catch {
        break;
      }
    }
  }

  private broken = false;

  private drop(w: AnyWorker): void {
    if (this.disposed) return;
    // the pool stops using workers altogether: shares are indexed by worker position
    this.broken = true;
    void w;
  }

  /** Workers that have started and can take jobs now. */
  private readyWorkers(): number {
    if (!this.started) this.start();
    if (this.broken) return 0;
    if (!this.waitedForReady && this.workers.length > 0 && nodeWorkerThreads()) {
      // First use in Node: workers start in parallel with the caller; wait for them
      // (bounded) so the first call already runs on every core.
      this.waitedForReady = true;
      const deadline = Date.now() + 10_000;
      let ready = Atomics.load(this.ctrl, READY);
      while (ready < this.workers.length && Date.now() < deadline) {
        Atomics.wait(this.ctrl, READY, ready, 100);
        ready = Atomics.load(this.ctrl, READY);
      }
    }
    return Math.min(Atomics.load(this.ctrl, READY), this.workers.length);
  }

  /** Number of threads a run can use now (the caller plus ready workers). */
  get threads(): number {
    return 1 + this.readyWorkers();
  }

  /**
   * Runs the jobs, job 0 on the calling thread and the rest on workers (any jobs beyond the
   * ready workers also on the calling thread), and returns when all are done.
   */
  run(jobs: KernelJob[], local: KernelExports): void {
    if (jobs.length === 0) return;
    const call = (job: KernelJob) => (local[job.fn] as (...a: number[]) => void)(...job.args);
    if (jobs.length === 1) { call(jobs[0]); return; } // no thread hop, no worker start
    const remote = this.disposed ? 0 : Math.min(jobs.length - 1, this.readyWorkers());
    for (let i = 1; i <= remote; i++) {
      if (!this.exportIndex.has(jobs[i].fn) || jobs[i].args.length > MAX_ARGS) {
        throw new Error(`a worker cannot run ${jobs[i].fn} with ${jobs[i].args.length} arguments`);
      }
    }
    const ctrl = this.ctrl;
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    for (let i = 0; i < remote; i++) this.post(i, jobs[1 + i]);
    this.remoteJobs += remote;
    let error: unknown = null;
    try {
      call(jobs[0]);
      for (let i = 1 + remote; i < jobs.length; i++) call(jobs[i]);
    } catch (e) {
      error = e;
    }
    // join: wait until every posted job has finished (even if ours failed: they share memory)
    let done = Atomics.load(ctrl, DONE);
    for (const until = performance.now() + this.spinMs; done < remote && performance.now() < until;) {
      for (let i = 0; done < remote && i < 256; i++) done = Atomics.load(ctrl, DONE);
    }
    while (done < remote) {
      Atomics.wait(ctrl, DONE, done);
      done = Atomics.load(ctrl, DONE);
    }
    if (error) throw error;
    if (Atomics.load(ctrl, FAILED)) throw new Error('a wasm kernel failed in a worker thread');
  }

  /** Puts a job (checked by run) into worker i's slot and wakes the worker. */
  private post(i: number, job: KernelJob): void {
    const fn = this.exportIndex.get(job.fn)!;
    const seq = SLOTS + i * SLOT, c = this.ctrl;
    this.args.set(job.args, i * MAX_ARGS);
    c[seq + 1] = fn;
    c[seq + 2] = job.args.length;
    const prev = Atomics.load(c, seq);
    Atomics.store(c, seq, prev >= 0x3fffffff ? 1 : prev + 1); // publishes the plain writes above
    Atomics.notify(c, seq);
  }

  /** Stops the workers. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let i = 0; i < this.workers.length; i++) {
      Atomics.store(this.ctrl, SLOTS + i * SLOT, -1);
      Atomics.notify(this.ctrl, SLOTS + i * SLOT);
    }
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
