#!/bin/sh
# Train a pLSTM in PyTorch with DistributedDataParallel (2 ranks on this machine), then load
# the model file in TypeScript and evaluate it there. The task: read 20 noisy numbers and say
# whether their sum is positive (a head on the last step, 2 classes).
# Needs PyTorch >= 1.13 (apt-get install python3-torch) and `npm run build` (the TypeScript
# side imports the built package). Run from the repository root:  sh examples/pytorch-twin.sh
set -eu
dir=$(mktemp -d)
export PYTHONPATH=python
# a Python with torch: $PYTHON, else python3, else Debian's /usr/bin/python3
py=${PYTHON:-python3}
"$py" -c 'import torch' 2>/dev/null || py=/usr/bin/python3

# 1. a config and a data file (x [N, T, 1], y [N]); the last 128 sequences are held out
cat > "$dir/model.json" <<'JSON'
{ "input": { "kind": "dense", "size": 1 },
  "layers": [{ "cell": "plstm", "hidden": 16 }],
  "head": { "size": 2, "steps": "last" }, "loss": "xent", "seed": 1 }
JSON
"$py" - "$dir" <<'PY'
import json, sys, torch
from powerlaw_lstm.data import write_data
g = torch.Generator().manual_seed(0)
x = torch.randn(640, 20, 1, generator=g)
y = (x.sum(dim=(1, 2)) > 0).long()
write_data(f"{sys.argv[1]}/train.safetensors", x[:512], y[:512])
with open(f"{sys.argv[1]}/test.json", "w") as f:
    json.dump({"x": x[512:].flatten().tolist(), "y": y[512:].tolist()}, f)
PY

# 2. train with 2 ranks (each takes 32 of every 64 rows); rank 0 writes the model file
"$py" -m powerlaw_lstm.train --config "$dir/model.json" --data "$dir/train.safetensors" \
  --out "$dir/model.safetensors" --nproc 2 --epochs 8 --batch-size 64 \
  --optimizer '{"kind": "adam", "lr": 0.01}' --clip 1 --log-every 16

# 3. the same file in TypeScript: predictions and accuracy on the held-out sequences
node --input-type=module -e "
import { readFileSync } from 'node:fs';
import { loadModel, accuracy } from 'powerlaw-lstm/node';
const { model, optimizer } = loadModel('$dir/model.safetensors');
const test = JSON.parse(readFileSync('$dir/test.json', 'utf8'));
const B = test.y.length;
const batch = { B, T: 20, x: Float32Array.from(test.x), y: Int32Array.from(test.y) };
const { loss, outputs } = model.evaluate(batch);
console.log('TypeScript: held-out loss', loss.toFixed(4), 'accuracy', accuracy(outputs, batch.y, 2).toFixed(3),
  'after', optimizer.steps, 'Adam steps in PyTorch');
model.dispose();
"
rm -r "$dir"
