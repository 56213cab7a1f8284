"""Model files: the safetensors layout by hand (header length, JSON header with __metadata__,
raw little-endian bytes, 8-byte aligned data), and strict loading: another format tag, a cell
the twin does not run, a missing, extra or misshapen tensor, a truncated file or NaN weights
raise ModelFileError naming the problem; nothing loads partially."""
import _path  # noqa: F401  (python/ on sys.path)
import json
import os
import shutil
import struct
import tempfile
import unittest

import torch

from powerlaw_lstm import ModelFileError, SequenceModel, load_model, model_bytes, model_from_bytes, save_model
from powerlaw_lstm.safetensors import read_bytes, write_bytes

CONFIG = {'input': {'kind': 'onehot', 'size': 4},
          'layers': [{'cell': 'plstm', 'hidden': 3, 'pInit': {'mode': 'fixed', 'p': 0.3}}, {'cell': 'lstm', 'hidden': 2}],
          'head': {'size': 4, 'steps': 'last'}, 'loss': 'xent', 'seed': 1}


class Safetensors(unittest.TestCase):
    def test_layout(self):
        t = {'a': torch.arange(6, dtype=torch.float32).reshape(2, 3), 'b': torch.tensor([1.5], dtype=torch.float64),
             'c': torch.tensor([[1, -2]], dtype=torch.int64)}
        data = write_bytes(t, {'k': 'v'})
        n = struct.unpack('<Q', data[:8])[0]
        self.assertEqual((8 + n) % 8, 0)  # data 8-byte aligned
        header = json.loads(data[8:8 + n])
        self.assertEqual(header['__metadata__'], {'k': 'v'})
        self.assertEqual(header['a'], {'dtype': 'F32', 'shape': [2, 3], 'data_offsets': [0, 24]})
        self.assertEqual(struct.unpack('<6f', data[8 + n:8 + n + 24]), (0, 1, 2, 3, 4, 5))
        back, meta = read_bytes(data)
        self.assertEqual(meta, {'k': 'v'})
        for k in t:
            self.assertEqual(back[k].dtype, t[k].dtype)
            self.assertTrue(torch.equal(back[k], t[k]))

    def test_rejects_broken_files(self):
        data = write_bytes({'a': torch.zeros(4)}, {})
        for what, bad in {'truncated data': data[:-1], 'truncated header': data[:12], 'empty': b'',
                          'not json': struct.pack('<Q', 4) + b'abcd', 'extra bytes': data + b'\0'}.items():
            with self.subTest(what):
                with self.assertRaises(ModelFileError):
                    read_bytes(bad)


class StrictLoading(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.model = SequenceModel(CONFIG)
        cls.bytes = model_bytes(cls.model)
        cls.tensors, cls.meta = read_bytes(cls.bytes)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def variant(self, tensors=None, meta=None):
        return write_bytes(self.tensors if tensors is None else tensors, self.meta if meta is None else meta)

    def test_round_trip(self):
        path = os.path.join(self.dir, 'm.safetensors')
        save_model(self.model, path)
        back = load_model(path)
        x = torch.tensor([[0, 1, 2, 3, 1]])
        with torch.no_grad():
            self.assertTrue(torch.equal(back(x), self.model(x)))
        self.assertEqual(back.config, self.model.config)
        self.assertFalse([f for f in os.listdir(self.dir) if f.endswith('.tmp')])  # no temporary file left

    def test_every_problem_is_named(self):
        cfg = json.loads(self.meta['config'])
        gru = json.loads(json.dumps(cfg))
        gru['layers'][1]['cell'] = 'gru'
        missing = {k: v for k, v in self.tensors.items() if k != 'layers.1.weight_hh'}
        extra = {**self.tensors, 'layers.9.bias': torch.zeros(3)}
        shape = {**self.tensors, 'head.bias': torch.zeros(5)}
        nan = {**self.tensors, 'head.bias': torch.full((4,), float('nan'))}
        wrong_p = {**self.tensors, 'layers.0.p_fixed': torch.full((3,), 0.5)}
        cases = {
            'format': (self.variant(meta={**self.meta, 'format': 'powerlaw-lstm/9'}), 'format'),
            'no format': (self.variant(meta={k: v for k, v in self.meta.items() if k != 'format'}), 'not a powerlaw-lstm model'),
            'unknown cell': (self.variant(meta={**self.meta, 'config': json.dumps(gru)}), 'gru'),
            'missing tensor': (self.variant(missing), 'layers.1.weight_hh'),
            'extra tensor': (self.variant(extra), 'layers.9.bias'),
            'wrong shape': (self.variant(shape), 'head.bias'),
            'non-finite': (self.variant(nan), 'head.bias'),
            'fixed p': (self.variant(wrong_p), 'p_fixed'),
            'truncated': (self.bytes[:-4], 'truncated'),
        }
        for what, (data, needle) in cases.items():
            with self.subTest(what):
                with self.assertRaises(ModelFileError) as ctx:
                    model_from_bytes(data)
                msg = str(ctx.exception)
                self.assertIn(needle, msg)
                self.assertNotIn('\n', msg)


if __name__ == '__main__':
    unittest.main()
