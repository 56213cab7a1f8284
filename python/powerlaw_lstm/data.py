"""Training data files for `python -m powerlaw_lstm.train`: one safetensors file with
  x  inputs: token ids [N, T] (I32 or I64) for one-hot or embedding input; features
     [N, T, I] (F32 or F64) for dense input
  y  targets: xent: class ids [N, T] (head on every step) or [N] (last step), I32 or I64;
     mse, pinball: [N, T, O] or [N, O], F32 or F64
  w  optional row weights (>= 0, not all 0): [N, T] or [N], F32 or F64
N sequences of T steps. Forecast windows (x [N, lookback, F], y [N, horizon * Q] or
[N, horizon, Q] for a forecaster's 'last' head, as Forecaster.windowsOf gives them) are the
same file. Every mismatch with the model's config is a DataError naming the tensor.
"""
import math
from typing import Any, Dict, Optional, Tuple

import torch
from torch import Tensor

from .safetensors import ModelFileError, read_file, write_file

__all__ = ["DataError", "read_data", "write_data"]


class DataError(ValueError):
    """A data file that does not fit the model (the message names the tensor and the fix)."""


def write_data(path: str, x: Tensor, y: Tensor, w: Optional[Tensor] = None) -> None:
    """Writes a data file (atomically)."""
    tensors = {"x": x, "y": y}
    if w is not None:
        tensors["w"] = w
    write_file(path, tensors, {"format": "powerlaw-lstm-data/1"})


def read_data(path: str, config: Dict[str, Any]) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
    """(x, y, w or None) of a data file, checked against a resolved config."""
    try:
        tensors, _ = read_file(path)
    except ModelFileError as e:
        raise DataError(str(e)) from None
    for k in ("x", "y"):
        if k not in tensors:
            raise DataError(f"data file {path} has no tensor \"{k}\" (it needs x and y; see python/powerlaw_lstm/data.py)")
    extra = sorted(set(tensors) - {"x", "y", "w"})
    if extra:
        raise DataError(f"data file {path} has tensors other than x, y, w: {', '.join(extra[:3])}")
    x, y, w = tensors["x"], tensors["y"], tensors.get("w")
    inp, head = config["input"], config["head"]
    where = f"data file {path}"
    if inp["kind"] == "dense":
        if not x.is_floating_point() or x.dim() != 3 or x.shape[2] != inp["size"]:
            raise DataError(f"{where}: x must be F32/F64 [N, T, {inp['size']}] for dense input, got {x.dtype} {list(x.shape)}")
        if not bool(torch.isfinite(x).all()):
            raise DataError(f"{where}: x contains NaN or infinity")
    else:
        V = inp["size"] if inp["kind"] == "onehot" else inp["vocab"]
        if x.is_floating_point() or x.dim() != 2:
            raise DataError(f"{where}: x must be integer token ids [N, T] for {inp['kind']} input, got {x.dtype} {list(x.shape)}")
        if x.numel() and (int(x.min()) < 0 or int(x.max()) >= V):
            raise DataError(f"{where}: token ids must be in 0..{V - 1}, got {int(x.min())}..{int(x.max())}")
        x = x.long()
    N, T = x.shape[0], x.shape[1]
    if N == 0 or T == 0:
        raise DataError(f"{where}: x has no sequences or no steps ({list(x.shape)})")
    rows = [N, T] if head["steps"] == "all" else [N]
    O = head["size"]
    if config["loss"] == "xent":
        if y.is_floating_point() or list(y.shape) != rows:
            raise DataError(f"{where}: y must be integer class ids {rows} for loss xent, got {y.dtype} {list(y.shape)}")
        if y.numel() and (int(y.min()) < 0 or int(y.max()) >= O):
            raise DataError(f"{where}: class ids must be in 0..{O - 1}, got {int(y.min())}..{int(y.max())}")
        y = y.long()
    else:
        if (y.dim() > len(rows) + 1 and list(y.shape[:len(rows)]) == rows
                and math.prod(y.shape[len(rows):]) == O):
            y = y.reshape(rows + [O])  # forecast windows: y [N, horizon, Q] -> [N, horizon * Q]
        if not y.is_floating_point() or list(y.shape) != rows + [O]:
            raise DataError(f"{where}: y must be F32/F64 {rows + [O]} for loss {config['loss']}, got {y.dtype} {list(y.shape)}")
        if not bool(torch.isfinite(y).all()):
            raise DataError(f"{where}: y contains NaN or infinity")
    if w is not None:
        if not w.is_floating_point() or list(w.shape) != rows:
            raise DataError(f"{where}: w must be F32/F64 {rows} (one weight per output row), got {w.dtype} {list(w.shape)}")
        if not bool(torch.isfinite(w).all()) or bool((w < 0).any()) or float(w.sum()) <= 0:
            raise DataError(f"{where}: weights must be finite, >= 0 and not all 0")
    return x, y, w
