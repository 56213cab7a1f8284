"""Parity with the float64 reference fixtures (test/fixtures, format plstm-fixture/1): the
twin's recurrent layer gives every output and every gradient of each file to 1e-9, with the
TorchScript time loop and with the per-step loop."""
import _path  # noqa: F401  (python/ on sys.path)
import glob
import json
import os
import unittest

import torch

from powerlaw_lstm.model import RecurrentLayer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = sorted(glob.glob(os.path.join(ROOT, 'test', 'fixtures', '*.json')))
TOL = 1e-9


def load(path):
    with open(path) as f:
        return json.load(f)


def tensor(entry):
    return torch.tensor(entry['data'], dtype=torch.float64).reshape(entry['shape'])


def run_fixture(fx, loop):
    """(outputs, grads) of the twin on fixture fx: the fixture's loss L = sum(h_seq G) + sum(c_T Gc)."""
    cfg = fx['config']
    plstm = fx['cell'] == 'plstm'
    spec = {'cell': fx['cell'], 'hidden': cfg['H'], 'reverse': False, 'bidirectional': False, 'dropout': 0}
    if plstm:
        spec['eps'] = cfg['eps']
        spec['pInit'] = {'mode': 'uniform'} if cfg['learnP'] else {'mode': 'fixed', 'p': cfg['p']}
    layer = RecurrentLayer(spec, cfg['I'], torch.float64)
    prm = fx['params']
    with torch.no_grad():
        layer.weight_ih.copy_(tensor(prm['weight_ih']))
        layer.weight_hh.copy_(tensor(prm['weight_hh']))
        layer.bias.copy_(tensor(prm['bias']))
        if plstm and cfg['learnP']:
            layer.p_param.copy_(tensor(prm['p_param']))
    x = tensor(fx['input']['x']).requires_grad_(True)
    s0 = fx['initial_state']
    h0 = tensor(s0['h']).requires_grad_(True)
    c0 = tensor(s0['c']).requires_grad_(True)
    a0 = tensor(s0['a']).requires_grad_(True) if plstm else None
    hseq, finals = layer(x, [(h0, c0, a0)], loop=loop)
    h, c, a = finals[0]
    L = (hseq * tensor(fx['loss']['G'])).sum() + (c * tensor(fx['loss']['Gc'])).sum()
    L.backward()
    outs = {'h_seq': hseq, 'h': h, 'c': c}
    grads = {'x': x.grad, 'weight_ih': layer.weight_ih.grad, 'weight_hh': layer.weight_hh.grad,
             'bias': layer.bias.grad, 'h0': h0.grad, 'c0': c0.grad}
    if plstm:
        outs['a'] = a
        grads['a0'] = a0.grad
        if cfg['learnP']:
            grads['p_param'] = layer.p_param.grad
    return float(L), outs, grads


class FixtureParity(unittest.TestCase):
    def test_fixtures_exist(self):
        self.assertGreaterEqual(len(FIXTURES), 10)

    def check(self, loop, files):
        for path in files:
            fx = load(path)
            with self.subTest(fixture=os.path.basename(path), loop=loop):
                L, outs, grads = run_fixture(fx, loop)
                self.assertLess(abs(L - fx['loss']['value']), TOL * max(1, abs(fx['loss']['value'])))
                for k, v in outs.items():
                    ref = tensor(fx['outputs'][k])
                    self.assertLess(float((v.detach() - ref).abs().max()), TOL, f'output {k}')
                for k, v in grads.items():
                    ref = tensor(fx['grads'][k])
                    worst = float((v - ref).abs().max())
                    # long sequences accumulate: relative to the gradient's size
                    self.assertLess(worst, TOL * max(1.0, float(ref.abs().max())), f'gradient {k}')

    def test_script_loop(self):
        self.check('script', FIXTURES)

    def test_python_loop(self):
        # the per-step loop on the short files (the 2,000-step one runs under the script loop)
        self.check('python', [f for f in FIXTURES if 'T2000' not in f])

    def test_a_wrong_gradient_fails(self):
        # the check can fail: a perturbed eps moves the outputs past the tolerance
        fx = load(os.path.join(ROOT, 'test', 'fixtures', 'plstm_tiny_learned_p.json'))
        fx['config']['eps'] *= 1.001
        _, outs, _ = run_fixture(fx, 'script')
        self.assertGreater(float((outs['h_seq'].detach() - tensor(fx['outputs']['h_seq'])).abs().max()), TOL)


if __name__ == '__main__':
    unittest.main()
