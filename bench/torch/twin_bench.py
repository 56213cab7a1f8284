#!/usr/bin/env python3
"""Times the PyTorch twin's training batch (benchmarks only; never used by the tests).

The copy task's shapes of `plstm bench` (Chien et al. 2021's copy task, delay 200: B 128,
T 219, H 128, one-hot input of 10 symbols, a head of 10 classes on every step,
cross-entropy, RMSprop(lr 1e-3, alpha 0.9), clipping at 1.0; src/bench/config.ts), one
training batch = forward + backward + clip + optimizer step, with the twin's own model
(python/powerlaw_lstm) and optimizer (our arithmetic: float64 updates rounded once):

  twin-plstm-step    the pLSTM, a Python loop over T calling a TorchScript step
  twin-plstm-script  the pLSTM, the whole time loop in TorchScript (the twin's default)
  twin-lstm-script   the LSTM, the whole time loop in TorchScript
  ddp                twin-plstm-script under DistributedDataParallel (gloo, this machine):
                     2 ranks x B/2 rows x 1 thread each, against 1 rank x B rows at 1 and 2
                     threads (the same global batch)
  ours               `node dist/cli/main.js bench` at the same shapes (our wasm kernels), in
                     the same run, so the ratios compare like with like

    nice -n 10 /usr/bin/python3 bench/torch/twin_bench.py --reps 3 [--impls ...] [--json]

Each measurement prints one line (JSON with --json): median seconds per batch after --warmup
untimed batches; a summary of the ratios closes the run. The twin-* impls run interleaved
(one batch of each in turn), so a shared machine's changing load falls on them alike.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'python'))


def _threads_from_argv() -> str:
    for i, arg in enumerate(sys.argv):
        if arg == '--threads' and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if arg.startswith('--threads='):
            return arg.split('=', 1)[1]
    return '1'


# BLAS libraries read their thread count once, at load time: without this, OpenBLAS (where
# torch loads it) starts a thread per core whatever torch.set_num_threads says, and its
# spinning threads slow a shared machine down (bench_torch.py does the same, one process per
# thread count)
for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[_var] = _threads_from_argv()

import torch  # noqa: E402

from powerlaw_lstm import SequenceModel  # noqa: E402
from powerlaw_lstm.optim import Optimizer, clip_grad_norm  # noqa: E402

COPY = {'B': 128, 'T': 219, 'H': 128, 'I': 10, 'O': 10}
OPT = {'kind': 'rmsprop', 'lr': 1e-3, 'alpha': 0.9}
CLIP = 1.0


def config(cell, H):
    return {'input': {'kind': 'onehot', 'size': COPY['I']}, 'layers': [{'cell': cell, 'hidden': H}],
            'head': {'size': COPY['O'], 'steps': 'all'}, 'loss': 'xent', 'seed': 1}


def batch(B, T, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, COPY['I'], (B, T), generator=g), torch.randint(0, COPY['O'], (B, T), generator=g)


def step(net, model, opt, params, x, y):
    opt.zero_grad()
    loss = model.loss(net(x), y)
    loss.backward()
    clip_grad_norm(params, CLIP)
    opt.step()
    return float(loss)


def time_batches(net, model, x, y, reps, warmup):
    params = [p for _, p in model.slots()]
    opt = Optimizer(params, OPT)
    model.train()
    times = []
    for i in range(warmup + reps):
        t0 = time.perf_counter()
        step(net, model, opt, params, x, y)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def run_twin_interleaved(impls, a):
    """One batch of each impl in turn, warmup + reps rounds: the machine's changing load
    falls on every impl alike (this machine is shared), so their ratios hold."""
    torch.set_num_threads(a.threads)
    x, y = batch(a.batch, a.steps)
    runs = []
    for impl in impls:
        cell = 'lstm' if impl.startswith('twin-lstm') else 'plstm'
        loop = 'python' if impl.endswith('-step') else 'script'
        model = SequenceModel(config(cell, a.hidden), loop=loop)
        params = [p for _, p in model.slots()]
        model.train()
        runs.append((impl, cell, model, params, Optimizer(params, OPT), []))
    for i in range(a.warmup + a.reps):
        for impl, cell, model, params, opt, times in runs:
            t0 = time.perf_counter()
            step(model, model, opt, params, x, y)
            if i >= a.warmup:
                times.append(time.perf_counter() - t0)
    return [{'impl': impl, 'cell': cell, 'B': a.batch, 'T': a.steps, 'H': a.hidden, 'threads': a.threads, 'ranks': 1,
             'seconds': statistics.median(times), 'all': times, 'load1': os.getloadavg()[0]}
            for impl, cell, _, _, _, times in runs]


def run_twin(impl, a):
    cell = 'lstm' if 'lstm-' in impl and 'plstm' not in impl else 'plstm'
    loop = 'python' if impl.endswith('-step') else 'script'
    torch.set_num_threads(a.threads)
    model = SequenceModel(config(cell, a.hidden), loop=loop)
    x, y = batch(a.batch, a.steps)
    med, times = time_batches(model, model, x, y, a.reps, a.warmup)
    return {'impl': impl, 'cell': cell, 'B': a.batch, 'T': a.steps, 'H': a.hidden, 'threads': a.threads,
            'ranks': 1, 'seconds': med, 'all': times}


def _ddp_worker(rank, world, a, port, q):
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world)
    model = SequenceModel(config('plstm', a.hidden))
    net = DistributedDataParallel(model)
    x, y = batch(a.batch, a.steps)
    per = a.batch // world
    med, times = time_batches(net, model, x[rank * per:(rank + 1) * per], y[rank * per:(rank + 1) * per], a.reps, a.warmup)
    if rank == 0:
        q.put((med, times))
    dist.destroy_process_group()


def run_ddp(a, world):
    import socket
    import torch.multiprocessing as mp
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    ctx = mp.get_context('spawn')
    q = ctx.SimpleQueue()
    mp.spawn(_ddp_worker, args=(world, a, port, q), nprocs=world, join=True)
    med, times = q.get()
    return {'impl': 'ddp-plstm-script', 'cell': 'plstm', 'B': a.batch, 'T': a.steps, 'H': a.hidden, 'threads': 1,
            'ranks': world, 'seconds': med, 'all': times}


def run_two_threads(a):
    """twin-plstm-script at 2 threads, in a process of its own (BLAS reads its thread count
    at load time)."""
    cmd = [sys.executable, os.path.abspath(__file__), '--impls', 'twin-plstm-script', '--threads', '2', '--json',
           '--batch', str(a.batch), '--steps', str(a.steps), '--hidden', str(a.hidden), '--reps', str(a.reps),
           '--warmup', str(a.warmup)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f'error: the 2-thread run failed:\n{r.stderr[-2000:]}')
    return json.loads(r.stdout.splitlines()[0])


def run_ours(a):
    cmd = ['node', 'dist/cli/main.js', 'bench', '--cell', 'plstm,lstm', '--mode', 'train',
           '--batch', str(a.batch), '--steps', str(a.steps), '--hidden', str(a.hidden), '--threads', '1,2',
           '--reps', str(a.reps), '--warmup', str(a.warmup), '--baselines', 'none', '--json']
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f'error: {" ".join(cmd)} failed (run npm run build first?):\n{r.stderr[-2000:]}')
    out = []
    for line in r.stdout.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if 'median_s' in rec and rec.get('mode') == 'train':
            out.append(rec)
    return out, ' '.join(cmd[1:])


def main():
    ap = argparse.ArgumentParser(description='Time the PyTorch twin at the copy-task shapes.')
    ap.add_argument('--impls', default='twin-plstm-step,twin-plstm-script,twin-lstm-script,ddp,ours',
                    help='comma separated: twin-plstm-step, twin-plstm-script, twin-lstm-script, ddp, ours')
    ap.add_argument('--batch', type=int, default=COPY['B'], help='B (default 128)')
    ap.add_argument('--steps', type=int, default=COPY['T'], help='T (default 219)')
    ap.add_argument('--hidden', type=int, default=COPY['H'], help='H (default 128)')
    ap.add_argument('--threads', type=int, default=1, help='torch threads of the single-process runs (default 1)')
    ap.add_argument('--reps', type=int, default=3, help='timed batches (default 3)')
    ap.add_argument('--warmup', type=int, default=2, help='untimed batches first (default 2: TorchScript optimises a loop on its second call)')
    ap.add_argument('--json', action='store_true', help='one JSON line per measurement')
    a = ap.parse_args()
    results = []

    def emit(rec):
        results.append(rec)
        if a.json:
            print(json.dumps(rec), flush=True)
        else:
            print(f"{rec['impl']:20s} ranks {rec['ranks']} threads {rec['threads']}: {rec['seconds'] * 1e3:8.1f} ms per batch", flush=True)

    impls = a.impls.split(',')
    twins = [i for i in impls if i.startswith('twin-')]
    if twins:
        for rec in run_twin_interleaved(twins, a):
            emit(rec)
    for impl in impls:
        if impl.startswith('twin-'):
            continue
        elif impl == 'ddp':
            a1 = argparse.Namespace(**{**vars(a), 'threads': 1})
            emit({**run_twin('twin-plstm-script', a1), 'impl': 'ddp-plstm-script'})
            emit({**run_two_threads(a), 'impl': 'ddp-plstm-script'})
            emit(run_ddp(a, 2))
        elif impl == 'ours':
            recs, cmd = run_ours(a)
            for r in recs:
                sec = r['median_s']
                emit({'impl': f"ours-{r.get('cell')}", 'cell': r.get('cell'), 'B': a.batch, 'T': a.steps, 'H': a.hidden,
                      'threads': r.get('threads'), 'ranks': 1, 'seconds': sec, 'command': cmd})
        else:
            raise SystemExit(f'error: unknown impl {impl!r}')
    by = {(r['impl'], r['ranks'], r['threads']): r['seconds'] for r in results}
    summary = {}
    step1, script1 = by.get(('twin-plstm-step', 1, a.threads)), by.get(('twin-plstm-script', 1, a.threads))
    if step1 and script1:
        summary['plstm: per-step loop / TorchScript loop'] = step1 / script1
    for t in (1, 2):
        ours = by.get(('ours-plstm', 1, t))
        if ours and script1:
            summary[f'plstm: twin TorchScript ({a.threads} thread) / ours ({t} threads)'] = script1 / ours
    ol, tl = by.get(('ours-lstm', 1, 1)), by.get(('twin-lstm-script', 1, a.threads))
    if ol and tl:
        summary[f'lstm: twin TorchScript ({a.threads} thread) / ours (1 thread)'] = tl / ol
    d1, d2, r2 = by.get(('ddp-plstm-script', 1, 1)), by.get(('ddp-plstm-script', 1, 2)), by.get(('ddp-plstm-script', 2, 1))
    if d1 and r2:
        summary['ddp: 1 rank x 1 thread / 2 ranks x 1 thread (speed-up)'] = d1 / r2
    if d2 and r2:
        summary['ddp: 1 rank x 2 threads / 2 ranks x 1 thread (speed-up)'] = d2 / r2
    print(json.dumps({'summary': {k: round(v, 3) for k, v in summary.items()}, 'torch': torch.__version__}), flush=True)


if __name__ == '__main__':
    main()
