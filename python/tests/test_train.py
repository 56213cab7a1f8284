"""`python -m powerlaw_lstm.train`: DistributedDataParallel over 2 ranks (--nproc 2, gloo on
the CPU) at batch B/2 each reaches the same weights as one process at batch B (with row
weights, so the shards weigh differently); the trained
model loads in TypeScript and evaluates to the twin's loss; a run stopped and resumed from its
checkpoint ends where an uninterrupted run ends; bad input is one line and a non-zero exit."""
import _path  # noqa: F401  (python/ on sys.path)
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch

from bridge import ROOT, ts_read
from powerlaw_lstm import load_checkpoint, load_model
from powerlaw_lstm.data import write_data

CONFIG = {'input': {'kind': 'dense', 'size': 3},
          'layers': [{'cell': 'plstm', 'hidden': 6}, {'cell': 'lstm', 'hidden': 4, 'bidirectional': True}],
          'head': {'size': 3, 'steps': 'all'}, 'loss': 'xent', 'seed': 5}
N, T, B, EPOCHS = 16, 10, 8, 2  # 2 full batches per epoch: 4 steps


class Run:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def train_here(*args):
    """The command in this process (no interpreter start): a Run like subprocess.run's."""
    from powerlaw_lstm.train import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as e:  # argparse
            code = e.code
    return Run(code, out.getvalue(), err.getvalue())


def train(*args):
    """The command as a user runs it (a new interpreter; --nproc spawns from there)."""
    env = {**os.environ, 'PYTHONPATH': os.path.join(ROOT, 'python')}
    return subprocess.run([sys.executable, '-m', 'powerlaw_lstm.train', *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def weights(path):
    return {n: p.detach().clone() for n, p in load_model(path).slots()}


def worst(a, b):
    return max(float((a[n] - b[n]).abs().max()) for n in a)


class Training(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        g = torch.Generator().manual_seed(0)
        cls.x = torch.randn(N, T, 3, generator=g, dtype=torch.float64)
        cls.y = torch.randint(0, 3, (N, T), generator=g)
        # row weights: the two ranks' shards weigh differently, so matching one process needs
        # the loss scaled by each shard's share of the batch's weight, not a plain average
        cls.w = torch.rand(N, T, generator=g, dtype=torch.float64) * 2
        cls.data = cls.p('data.safetensors')
        write_data(cls.data, cls.x, cls.y, cls.w)
        with open(cls.p('config.json'), 'w') as f:
            json.dump(CONFIG, f)
        common = ['--config', cls.p('config.json'), '--data', cls.data, '--batch-size', str(B), '--epochs', str(EPOCHS),
                  '--dtype', 'float64', '--clip', '1', '--optimizer', '{"kind": "adam", "lr": 0.01}', '--json']
        cls.runs = {}
        cls.runs[1] = train_here(*common, '--out', cls.p('ranks1.safetensors'))
        cls.runs[2] = train(*common, '--out', cls.p('ranks2.safetensors'), '--nproc', '2')
        cls.common = common

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    @classmethod
    def p(cls, name):
        return os.path.join(cls.dir, name)

    def result(self, nproc):
        r = self.runs[nproc]
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        return json.loads(r.stdout.strip().splitlines()[-1])

    def test_two_ranks_take_the_steps_of_one_process(self):
        one, two = self.result(1), self.result(2)
        self.assertEqual(one['steps'], EPOCHS * N // B)
        self.assertEqual(two['steps'], one['steps'])
        self.assertLess(abs(one['loss'] - two['loss']), 1e-6)
        w1, w2 = weights(self.p('ranks1.safetensors')), weights(self.p('ranks2.safetensors'))
        self.assertLess(worst(w1, w2), 1e-6)
        # and training moved the weights (so the equality above says something)
        from powerlaw_lstm import SequenceModel
        init = {n: p.detach() for n, p in SequenceModel(CONFIG, dtype=torch.float64).slots()}
        self.assertGreater(worst(w1, init), 1e-3)

    def test_trained_model_loads_in_typescript_and_evaluates(self):
        self.result(2)
        path = self.p('ranks2.safetensors')
        model, saved, meta = load_checkpoint(path)
        self.assertEqual(saved.steps, EPOCHS * N // B)
        self.assertEqual(saved.spec['kind'], 'adam')
        # weights as TypeScript reads them (float32), so both weigh the same
        w32 = self.w.float().double()
        with torch.no_grad():
            out = model(self.x)
            loss, wloss = float(model.loss(out, self.y)), float(model.loss(out, self.y, w32))
        rows = {'file': path, 'x': self.x.flatten().tolist(), 'shape': [N, T, 3], 'y': self.y.flatten().tolist()}
        ts, tsw = ts_read([rows, {**rows, 'w': w32.flatten().tolist()}])
        self.assertLess(abs(ts['loss'] - loss), 1e-9)
        self.assertLess(abs(tsw['loss'] - wloss), 1e-9)
        self.assertGreater(abs(wloss - loss), 1e-6)  # the weights count
        self.assertEqual(ts['optimizerSteps'], saved.steps)

    def test_resume_ends_where_an_uninterrupted_run_ends(self):
        self.result(1)
        part = self.p('part.safetensors')
        r = train_here(*self.common, '--out', part, '--steps', '3')  # stops inside the second epoch
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(json.loads(r.stdout.strip().splitlines()[-1])['steps'], 3)
        r = train_here('--resume', part, '--data', self.data, '--out', part, '--epochs', str(EPOCHS), '--batch-size', str(B),
                   '--clip', '1', '--json')
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(json.loads(r.stdout.strip().splitlines()[-1])['steps'], EPOCHS * N // B)
        self.assertLess(worst(weights(part), weights(self.p('ranks1.safetensors'))), 1e-12)

    def test_bad_input_is_one_line_and_a_non_zero_exit(self):
        bad_y = self.p('bad.safetensors')
        write_data(bad_y, self.x, self.y[:, :4])
        cases = {
            'no such data file': ['--config', self.p('config.json'), '--data', self.p('missing.safetensors'), '--out', self.p('o1.safetensors')],
            'y of the wrong shape': ['--config', self.p('config.json'), '--data', bad_y, '--out', self.p('o2.safetensors')],
            'an existing --out': ['--config', self.p('config.json'), '--data', self.data, '--out', self.data],
            'batch over the ranks': ['--config', self.p('config.json'), '--data', self.data, '--out', self.p('o3.safetensors'),
                                     '--nproc', '2', '--batch-size', '3'],
        }
        for what, args in cases.items():
            with self.subTest(what):
                r = train_here(*args)
                self.assertNotEqual(r.returncode, 0)
                self.assertNotIn('Traceback', r.stderr)
                lines = [l for l in r.stderr.strip().splitlines() if l.startswith('error')]
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertFalse(os.path.exists(self.p('o1.safetensors')) or os.path.exists(self.p('o2.safetensors')))


if __name__ == '__main__':
    unittest.main()
