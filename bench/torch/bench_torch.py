#!/usr/bin/env python3
"""PyTorch baselines for `npm run bench` (benchmarks only; never used by the tests).

Trains the copy-task model the way the pLSTM authors' PyTorch prototype does, and times it:
one-hot input (an identity embedding) -> one recurrent layer -> linear head on every step ->
log_softmax -> NLL over every step; RMSprop(lr 1e-3, alpha 0.9); clip_grad_norm_(1.0).

Implementations (--impls, comma separated):
  plstm-cell    the pLSTM cell as a TorchScript module, called once per step from a Python
                loop over T (absolute-time form: k0 = -1, t counted from 0, eps 1e-3,
                p = sigmoid(theta) recomputed inside the cell each step, gates r, o, g).
  plstm-script  the same cell with the whole loop over T compiled by TorchScript too (a
                ScriptModule whose script_method loops over the cell, as the authors'
                copy-task layer does): one call from Python per sequence. The strongest
                pLSTM baseline; its loss equals plstm-cell's at the same seed.
  lstm-nn       torch.nn.LSTM over the whole sequence (one library call).
  lstm-cell     torch.nn.LSTMCell called once per step from a Python loop.

Modes:
  train       seconds per training batch (forward, backward, clip, optimizer step).
  infer-step  seconds per streaming step under no_grad: one cell call + the head per step
              (B is usually 1). plstm-script and lstm-nn have no per-step form here.

Each measurement prints one JSON line on stdout. Timings are medians after warm-up. The
harness (bench/run.ts) takes the fastest of them as its headline baseline.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class PowerLawCell(torch.jit.ScriptModule):
    """One pLSTM step in the absolute-time (k) form, written from the paper's equations."""

    def __init__(self, input_size: int, hidden_size: int, eps: float = 1e-3):
        super().__init__()
        self.hidden_size = hidden_size
        self.eps = eps
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))  # [3H, I]
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))  # [3H, H]
        self.bias = nn.Parameter(torch.empty(3 * hidden_size))  # [3H]
        self.theta = nn.Parameter(torch.empty(hidden_size))  # [H], p = sigmoid(theta)
        bound = 1.0 / math.sqrt(hidden_size)
        for w in (self.weight_ih, self.weight_hh, self.bias):
            w.data.uniform_(-bound, bound)
        u = torch.rand(hidden_size).clamp(1e-4, 1 - 1e-4)  # p starts uniform in (0, 1)
        self.theta.data = torch.log(u / (1 - u))

    @torch.jit.script_method
    def forward(self, x: Tensor, t: int, h: Tensor, c: Tensor, k: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        p = torch.sigmoid(self.theta).expand_as(h)
        z = torch.mm(x, self.weight_ih.t()) + torch.mm(h, self.weight_hh.t()) + self.bias  # [B, 3H]
        r, o, g = z.chunk(3, 1)
        r = torch.sigmoid(r)
        o = torch.sigmoid(o)
        g = torch.tanh(g)
        k_new = r * (t - self.eps) + (1 - r) * k
        f = torch.pow((t - k_new + self.eps) / (t - k_new + 1.0), p)
        c_new = f * c + (1 - f) * g
        h_new = o * torch.tanh(c_new)
        return h_new, c_new, k_new


class PowerLawScriptedLoop(torch.jit.ScriptModule):
    """The loop over T inside TorchScript as well (one Python call per sequence)."""

    def __init__(self, cell: PowerLawCell):
        super().__init__()
        self.cell = cell

    @torch.jit.script_method
    def forward(self, x: Tensor, h: Tensor, c: Tensor, k: Tensor) -> Tensor:
        hs = torch.jit.annotate(List[Tensor], [])
        for t in range(x.size(1)):
            h, c, k = self.cell(x[:, t, :], t, h, c, k)
            hs += [h]
        return torch.stack(hs, dim=1)  # [B, T, H]


class CopyModel(nn.Module):
    """identity embedding (one-hot) -> recurrent layer -> linear head -> log_softmax."""

    def __init__(self, impl: str, vocab: int, hidden: int, out: int):
        super().__init__()
        self.impl = impl
        self.hidden = hidden
        self.embed = nn.Embedding.from_pretrained(torch.eye(vocab), freeze=True)
        if impl in ('plstm-cell', 'plstm-script'):
            self.cell = PowerLawCell(vocab, hidden)
            self.loop = PowerLawScriptedLoop(self.cell) if impl == 'plstm-script' else None
        elif impl == 'lstm-nn':
            self.lstm = nn.LSTM(vocab, hidden, batch_first=True)
        elif impl == 'lstm-cell':
            self.lcell = nn.LSTMCell(vocab, hidden)
        else:
            raise ValueError(f'unknown impl {impl}')
        self.head = nn.Linear(hidden, out)

    def zero_state(self, B: int):
        z = torch.zeros(B, self.hidden)
        if self.impl.startswith('plstm'):
            return (z, z.clone(), z - 1.0)  # h, c, k with k0 = -1
        return (z, z.clone())

    def sequence(self, tokens: Tensor) -> Tensor:
        x = self.embed(tokens)  # [B, T, I]
        B, T = tokens.shape
        if self.impl == 'lstm-nn':
            hs, _ = self.lstm(x)
            return hs
        if self.impl == 'plstm-script':
            h, c, k = self.zero_state(B)
            return self.loop(x, h, c, k)
        state = self.zero_state(B)
        outs = []
        for t in range(T):
            if self.impl == 'plstm-cell':
                h, c, k = self.cell(x[:, t, :], t, *state)
                state = (h, c, k)
            else:
                h, c = self.lcell(x[:, t, :], state)
                state = (h, c)
            outs.append(h)
        return torch.stack(outs, dim=1)  # [B, T, H]

    def forward(self, tokens: Tensor) -> Tensor:
        return F.log_softmax(self.head(self.sequence(tokens)), dim=2)  # [B, T, O]


def median_timing(fn, warmup: int, reps: int) -> List[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def bench_train(impl: str, a, threads: int) -> dict:
    torch.manual_seed(a.seed)
    model = CopyModel(impl, a.input, a.hidden, a.output)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)
    loss_fn = nn.NLLLoss()
    x = torch.randint(0, a.input, (a.batch, a.steps))
    y = torch.randint(0, a.output, (a.batch, a.steps))
    last = {}

    def one_batch():
        model.zero_grad()
        logp = model(x)  # [B, T, O]
        loss = loss_fn(logp.transpose(1, 2), y)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        last['loss'] = loss.item()
        last['grad_norm'] = float(norm)

    times = median_timing(one_batch, a.warmup, a.reps)
    return {'loss': last['loss'], 'grad_norm': last['grad_norm'], 'times': times}


def bench_infer_step(impl: str, a, threads: int) -> dict:
    if impl not in ('plstm-cell', 'lstm-cell'):
        raise ValueError(f'{impl} has no per-step form; use plstm-cell or lstm-cell')
    torch.manual_seed(a.seed)
    model = CopyModel(impl, a.input, a.hidden, a.output)
    tokens = torch.randint(0, a.input, (a.batch, a.steps))
    eye = torch.eye(a.input)
    times = []
    with torch.no_grad():
        state = model.zero_state(a.batch)
        t_abs = 0
        for rep in range(a.warmup + a.reps):
            t0 = time.perf_counter()
            for t in range(a.steps):
                x = eye[tokens[:, t]]  # [B, I] one-hot
                if impl == 'plstm-cell':
                    h, c, k = model.cell(x, t_abs, *state)
                    state = (h, c, k)
                else:
                    h, c = model.lcell(x, state)
                    state = (h, c)
                model.head(h)  # [B, O]
                t_abs += 1
            if rep >= a.warmup:
                times.append((time.perf_counter() - t0) / a.steps)
    return {'times': times}


def blas_library() -> str:
    """Which BLAS shared library this process loaded (torch's speed depends on it)."""
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.lower() or 'mkl' in line.lower()}
        return ','.join(sorted(os.path.basename(os.path.dirname(l)) + '/' + os.path.basename(l) for l in libs))
    except OSError:
        return 'unknown'


def rerun_per_thread_count(threads: List[int]) -> int:
    """BLAS libraries read their thread count once at load time (OPENBLAS_NUM_THREADS,
    OMP_NUM_THREADS), so each thread count runs in a fresh process with those set."""
    for n in threads:
        env = dict(os.environ)
        for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
            env[var] = str(n)
        args = [a for a in sys.argv[1:]]
        i = args.index('--threads') if '--threads' in args else -1
        if i >= 0:
            del args[i:i + 2]
        args = [a for a in args if not a.startswith('--threads=')]
        rc = subprocess.run([sys.executable, os.path.abspath(__file__), *args, '--threads', str(n)], env=env).returncode
        if rc != 0:
            return rc
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--mode', choices=['train', 'infer-step'], default='train')
    ap.add_argument('--impls', default='plstm-cell,plstm-script,lstm-nn')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--steps', type=int, default=219)
    ap.add_argument('--hidden', type=int, default=128)
    ap.add_argument('--input', type=int, default=10)
    ap.add_argument('--output', type=int, default=10)
    ap.add_argument('--threads', default='1,2', help='comma-separated thread counts')
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    impls = [s for s in a.impls.split(',') if s]
    threads = [int(s) for s in a.threads.split(',') if s]
    if len(threads) != 1:
        return rerun_per_thread_count(threads)
    n = threads[0]
    torch.set_num_threads(n)
    blas = blas_library()
    for impl in impls:
        r = bench_train(impl, a, n) if a.mode == 'train' else bench_infer_step(impl, a, n)
        times = r.pop('times')
        line = {
            'source': 'torch', 'impl': impl, 'mode': a.mode,
            'B': a.batch, 'T': a.steps, 'H': a.hidden, 'I': a.input, 'O': a.output,
            'threads': n, 'reps': a.reps, 'warmup': a.warmup,
            'median_s': statistics.median(times), 'min_s': min(times),
            'times_s': times, 'torch': torch.__version__, 'blas': blas,
        }
        line.update(r)
        print(json.dumps(line), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
