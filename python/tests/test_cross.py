"""Cross-loading with the TypeScript library, both ways, on every input kind, both cells,
stacked, reversed and bidirectional layers, both heads and every loss:
  * a model trained and saved by TypeScript (float32 on the wasm backend) loads in the twin
    with the same predictions and loss (1e-5); a float64 one (js backend) to 1e-9, and its
    saved Adam state continues in the twin to the same weights TypeScript reaches;
  * a model trained and saved by the twin loads in TypeScript with the same predictions;
  * a Forecaster file trains further in the twin on its windows (python -m
    powerlaw_lstm.train --init) and goes back with its settings and scalers;
  * a config and seed start from the same weights in both (TypeScript's generator).
The TypeScript side runs once per direction (python/tests/ts_bridge.ts)."""
import _path  # noqa: F401  (python/ on sys.path)
import os
import shutil
import tempfile
import unittest

import torch

from bridge import load_json, ts_read, ts_write
from powerlaw_lstm import SequenceModel, load_checkpoint, load_model, save_model
from powerlaw_lstm.files import optimizer_from_saved
from powerlaw_lstm.data import write_data
from powerlaw_lstm.optim import Optimizer, clip_grad_norm
from test_train import train_here

F32 = 1e-5
F64 = 1e-9


def cfg(inp, layers, head, loss, **kw):
    return {'input': inp, 'layers': layers, 'head': head, 'loss': loss, 'seed': kw.pop('seed', 3), **kw}


CASES = {
    'plstm_onehot_all_xent': cfg({'kind': 'onehot', 'size': 6}, [{'cell': 'plstm', 'hidden': 8}], {'size': 6, 'steps': 'all'}, 'xent'),
    'lstm_dense_last_mse': cfg({'kind': 'dense', 'size': 3}, [{'cell': 'lstm', 'hidden': 8, 'forgetBias': 1}], {'size': 2, 'steps': 'last'}, 'mse'),
    'stacked_embedding_pinball': cfg({'kind': 'embedding', 'vocab': 7, 'dim': 4},
                                     [{'cell': 'plstm', 'hidden': 8, 'pInit': {'mode': 'fixed', 'p': 0.4}, 'dropout': 0.25},
                                      {'cell': 'lstm', 'hidden': 4}],
                                     {'size': 6, 'steps': 'all'}, 'pinball', quantiles=[0.1, 0.5, 0.9]),
    'reversed_last_xent': cfg({'kind': 'dense', 'size': 2}, [{'cell': 'plstm', 'hidden': 4, 'reverse': True, 'eps': 0.01},
                                                             {'cell': 'lstm', 'hidden': 4, 'reverse': True}],
                              {'size': 3, 'steps': 'last'}, 'xent'),
    'bidirectional_all_mse': cfg({'kind': 'onehot', 'size': 5}, [{'cell': 'lstm', 'hidden': 4, 'bidirectional': True, 'dropout': 0.1},
                                                                 {'cell': 'plstm', 'hidden': 4, 'bidirectional': True,
                                                                  'pInit': {'mode': 'range', 'lo': -2, 'hi': 2}}],
                                 {'size': 2, 'steps': 'all'}, 'mse'),
    'bidirectional_last_pinball': cfg({'kind': 'dense', 'size': 2}, [{'cell': 'plstm', 'hidden': 4, 'bidirectional': True}],
                                      {'size': 4, 'steps': 'last'}, 'pinball', quantiles=[0.2, 0.8]),
}
F64_CASE = cfg({'kind': 'dense', 'size': 3}, [{'cell': 'plstm', 'hidden': 6}, {'cell': 'lstm', 'hidden': 5, 'bidirectional': True}],
               {'size': 2, 'steps': 'all'}, 'mse')
INIT_CASE = cfg({'kind': 'embedding', 'vocab': 5, 'dim': 3},
                [{'cell': 'plstm', 'hidden': 4, 'pInit': {'mode': 'range', 'lo': -1, 'hi': 3}},
                 {'cell': 'lstm', 'hidden': 4, 'chrono': 20, 'bidirectional': True}],
                {'size': 3, 'steps': 'last'}, 'xent', seed=99)
FORECASTER = {'lookback': 8, 'horizon': 2, 'hidden': 4, 'epochs': 1, 'seed': 3}
B, T, STEPS, MORE = 3, 7, 3, 2


def batch_of(d):
    x = torch.tensor(d['x']).reshape(d['shape'])
    return x if len(d['shape']) == 2 else x.float(), d['y']


def targets(model, y):
    return torch.tensor(y, dtype=torch.long) if model.config['loss'] == 'xent' else torch.tensor(y, dtype=model.dtype)


def train_step(model, opt, x, y):
    model.train()
    opt.zero_grad()
    model.loss(model(x), y).backward()
    clip_grad_norm([p for _, p in model.slots()], 1.0)
    opt.step()
    model.eval()


def f32_rounding(a, b):
    """Worst |a - b| less the float32 rounding of b: TypeScript's predict returns a
    Float32Array also for a float64 model, so its outputs carry one rounding."""
    a = torch.as_tensor(a, dtype=torch.float64).flatten()
    b = torch.as_tensor(b, dtype=torch.float64).flatten()
    return float(((a - b).abs() - b.abs() * 2.0 ** -24).clamp(min=0).max())


def worst(a, b):
    return float((torch.as_tensor(a, dtype=torch.float64).flatten() - torch.as_tensor(b, dtype=torch.float64).flatten()).abs().max())


class CrossLoading(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cases = [{'name': n, 'config': c, 'B': B, 'T': T, 'trainSteps': STEPS} for n, c in CASES.items()]
        cases.append({'name': 'f64', 'config': F64_CASE, 'dtype': 'float64', 'B': B, 'T': T, 'trainSteps': STEPS, 'continueSteps': MORE})
        cases.append({'name': 'init', 'config': INIT_CASE, 'B': B, 'T': T, 'trainSteps': 0})
        cases.append({'name': 'forecaster', 'forecaster': {'settings': FORECASTER}})
        ts_write(cases, cls.dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_typescript_models_predict_the_same_in_the_twin(self):
        for name in CASES:
            with self.subTest(case=name):
                d = load_json(self.path(f'{name}.json'))
                model = load_model(self.path(f'{name}.safetensors'))
                self.assertEqual(model.dtype, torch.float32)
                x, y = batch_of(d)
                with torch.no_grad():
                    out = model(x)
                    loss = float(model.loss(out, targets(model, y)))
                self.assertLess(worst(out, d['outputs']), F32)
                self.assertLess(abs(loss - d['loss']), F32 * max(1, abs(d['loss'])))

    def test_float64_parity_and_adam_continues_as_in_typescript(self):
        d = load_json(self.path('f64.json'))
        model, saved, _ = load_checkpoint(self.path('f64.safetensors'))
        self.assertEqual(model.dtype, torch.float64)
        x, y = batch_of(d)
        x = x.double()
        with torch.no_grad():
            out = model(x)
            self.assertLess(f32_rounding(out, d['outputs']), F64)
            self.assertLess(abs(float(model.loss(out, targets(model, y))) - d['loss']), F64)
        self.assertEqual(saved.steps, STEPS)
        after, saved_after, _ = load_checkpoint(self.path('f64.after.safetensors'))
        ref = dict(after.slots())
        start = {n: p.detach().clone() for n, p in model.slots()}

        def continue_from_checkpoint(steps_done):
            with torch.no_grad():
                for n, p in model.slots():
                    p.copy_(start[n])
            opt = optimizer_from_saved([p for _, p in model.slots()], saved)
            opt.steps = steps_done
            for _ in range(MORE):
                train_step(model, opt, x, targets(model, y))
            return opt, max(worst(p.detach(), ref[n].detach()) for n, p in model.slots())

        opt, diff = continue_from_checkpoint(saved.steps)
        # Adam divides by sqrt(v): a near-zero gradient's last-bit differences grow by up to
        # lr / (|g| + eps), hence 1e-8 on the weights; a semantic slip (below) gives > 1e-5
        self.assertLess(diff, 1e-8)
        for k, bufs in saved_after.state.items():
            for (name, _), mine, theirs in zip(model.slots(), opt.state_tensors()[k], bufs):
                self.assertLess(worst(mine, theirs), F64, f'{k} {name}')
        self.assertEqual(opt.steps, saved_after.steps)
        _, wrong = continue_from_checkpoint(0)  # the bias correction of a fresh optimizer
        self.assertGreater(wrong, 1e-5)

    def test_a_config_and_seed_start_from_the_same_weights(self):
        ts = dict(load_model(self.path('init.safetensors')).slots())
        twin = SequenceModel(INIT_CASE)
        for name, p in twin.slots():
            # uniform draws are bit-identical; normals (the embedding) go through log and cos
            self.assertLess(worst(p.detach(), ts[name].detach()), 1e-7, name)

    def test_twin_models_predict_the_same_in_typescript(self):
        reads, expected = [], []
        for name, config in list(CASES.items()) + [('f64', F64_CASE)]:
            dtype = torch.float64 if name == 'f64' else torch.float32
            d = load_json(self.path(f'{name}.json'))
            x, y = batch_of(d)
            if name == 'f64':
                x = x.double()
            model = SequenceModel(config, dtype=dtype)
            opt = Optimizer([p for _, p in model.slots()], {'kind': 'adam', 'lr': 0.02})
            for _ in range(STEPS):
                train_step(model, opt, x, targets(model, y))
            path = self.path(f'twin_{name}.safetensors')
            save_model(model, path, opt)
            with torch.no_grad():
                out = model(x)
                loss = float(model.loss(out, targets(model, y)))
            reads.append({'file': path, 'x': d['x'], 'shape': d['shape'], 'y': d['y']})
            expected.append((name, out, loss, F64 if name == 'f64' else F32))  # f64: outputs past float32 rounding
        got = ts_read(reads)
        for (name, out, loss, tol), g in zip(expected, got):
            with self.subTest(case=name):
                self.assertLess(f32_rounding(out, g['outputs']) if name == 'f64' else worst(out, g['outputs']), tol)
                self.assertLess(abs(loss - g['loss']), tol * max(1, abs(loss)))
                self.assertEqual(g['optimizerSteps'], STEPS)

    def test_forecaster_trains_in_the_twin_and_goes_back(self):
        src = self.path('forecaster.safetensors')
        model = load_model(src)
        self.assertEqual(model.settings['lookback'], FORECASTER['lookback'])
        self.assertEqual(model.settings['horizon'], FORECASTER['horizon'])
        self.assertIn('s', model.scalers)
        # its windows, as TypeScript's Forecaster.windowsOf gives them, train it further here
        win = load_json(self.path('forecaster.windows.json'))
        x = torch.tensor(win['x'], dtype=torch.float32).reshape(win['xShape'])
        y = torch.tensor(win['y'], dtype=torch.float32).reshape(win['yShape'])
        data, out = self.path('windows.safetensors'), self.path('twin_forecaster.safetensors')
        write_data(data, x, y)
        r = train_here('--init', src, '--data', data, '--out', out, '--epochs', '3', '--batch-size', '8', '--json')
        self.assertEqual(r.returncode, 0, r.stderr)
        trained = load_model(out)
        self.assertEqual(trained.forecaster['settings'], model.forecaster['settings'])
        self.assertEqual(trained.forecaster['scalers'], model.forecaster['scalers'])
        moved = max(float((p - q).abs().max()) for (_, p), (_, q) in zip(trained.slots(), model.slots()))
        self.assertGreater(moved, 1e-4)
        with torch.no_grad():
            pred = trained(x)
        [g] = ts_read([{'file': out, 'x': x.flatten().tolist(), 'shape': list(x.shape), 'forecaster': True}])
        self.assertEqual(g['lookback'], FORECASTER['lookback'])  # Forecaster.fromBytes read it
        self.assertLess(worst(pred, g['outputs']), F32)


if __name__ == '__main__':
    unittest.main()
