"""Runs python/tests/ts_bridge.ts (the TypeScript side of the twin's tests) from the tests."""
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BRIDGE = os.path.join('python', 'tests', 'ts_bridge.ts')


def _node(args):
    r = subprocess.run(['node', '--import', 'tsx', BRIDGE] + args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f'ts_bridge.ts {args[0]} failed:\n{r.stderr[-3000:]}')
    return r.stdout


def ts_write(cases, out_dir):
    """TypeScript writes the cases' models (and NAME.json with x, y, outputs, loss) into out_dir."""
    spec = os.path.join(out_dir, 'write-spec.json')
    with open(spec, 'w') as f:
        json.dump(cases, f)
    _node(['write', spec, out_dir])


def ts_read(cases):
    """TypeScript loads each {file, x, shape, y?, forecaster?} and returns its predictions."""
    with tempfile.TemporaryDirectory() as d:
        spec = os.path.join(d, 'read-spec.json')
        with open(spec, 'w') as f:
            json.dump(cases, f)
        return json.loads(_node(['read', spec]))


def load_json(path):
    with open(path) as f:
        return json.load(f)
