"""Model files: the same safetensors files as src/model/serialize.ts reads and writes.

Tensors (F32 for a float32 model, F64 for a float64 one):
    embedding.weight, layers.<l>.weight_ih / weight_hh / bias / p_param (learned p) or
    p_fixed (a fixed p, p itself), with the suffix _reverse for a bidirectional layer's second
    direction; head.weight, head.bias; optim.<state>.<parameter> (optimizer state).
Metadata (strings): format "powerlaw-lstm/1", config (JSON), dtype, meta (JSON of the caller's
extra info; a Forecaster's file keeps its settings, scalers, calendar and more under
meta.forecaster), and with an optimizer: optimizer (JSON spec with the current lr),
optimizer_steps.

Loading is all or nothing: an unknown format tag, an invalid or unsupported config (a cell
registered only in TypeScript), a missing tensor, a tensor the config does not explain, a
wrong shape or a non-finite value raises ModelFileError; nothing is loaded in part.
"""
import json
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

import torch
from torch import Tensor

from .config import ConfigError, directions_of
from .model import SequenceModel
from .optim import Optimizer, resolve_optimizer_spec
from .safetensors import ModelFileError, read_bytes, write_bytes, write_file_atomic

__all__ = ["MODEL_FORMAT", "SavedOptimizer", "load_model", "load_checkpoint", "save_model", "model_bytes",
           "model_from_bytes", "optimizer_from_saved"]

MODEL_FORMAT = "powerlaw-lstm/1"


@dataclass
class SavedOptimizer:
    """An optimizer as a model file holds it: the spec (current lr), steps and state tensors."""
    spec: Dict[str, Any]
    steps: int
    state: Dict[str, List[Tensor]] = field(default_factory=dict)


def optimizer_from_saved(params, saved: SavedOptimizer) -> Optimizer:
    """An Optimizer over params (the model's slots, in order) continuing a saved one."""
    opt = Optimizer(params, saved.spec)
    opt.load_state(saved.steps, saved.state)
    return opt


def _json(text: Optional[str], what: str, where: str) -> Any:
    if text is None:
        raise ModelFileError(f"{where} has no {what} in its metadata")
    try:
        return json.loads(text)
    except ValueError:
        raise ModelFileError(f'{where} metadata "{what}" is not valid JSON (corrupt file)') from None


def _take(tensors: Dict[str, Tensor], used: set, name: str, shape: List[int], where: str) -> Tensor:
    t = tensors.get(name)
    if t is None:
        raise ModelFileError(f'{where} lacks tensor "{name}" (truncated or from another model)')
    if t.dtype not in (torch.float32, torch.float64):
        raise ModelFileError(f'{where}: tensor "{name}" is {t.dtype}, expected F32 or F64')
    if list(t.shape) != list(shape):
        raise ModelFileError(f'{where}: tensor "{name}" has shape {list(t.shape)}, the config needs {list(shape)}')
    if not bool(torch.isfinite(t).all()):
        raise ModelFileError(f'{where}: tensor "{name}" contains NaN or infinity (corrupt file)')
    used.add(name)
    return t


def model_from_bytes(data: bytes, what: str = "model file", loop: str = "script"
                     ) -> Tuple[SequenceModel, Optional[SavedOptimizer], Dict[str, Any]]:
    """(module, saved optimizer or None, meta) from a model file's bytes; raises ModelFileError."""
    tensors, metadata = read_bytes(data, what)
    fmt = metadata.get("format")
    if fmt is None:
        raise ModelFileError(f'{what} is a safetensors file but not a powerlaw-lstm model (no "format" metadata)')
    if fmt != MODEL_FORMAT:
        raise ModelFileError(f'{what} has format "{fmt}", this version reads "{MODEL_FORMAT}"')
    config = _json(metadata.get("config"), "config", what)
    meta = _json(metadata["meta"], "meta", what) if "meta" in metadata else {}
    if not isinstance(meta, dict):
        raise ModelFileError(f'{what}: "meta" is not an object')
    stored = metadata.get("dtype", "float32")
    if stored not in ("float32", "float64"):
        raise ModelFileError(f'{what} has dtype "{stored}", expected float32 or float64')
    dtype = torch.float64 if stored == "float64" else torch.float32
    try:
        model = SequenceModel(config, dtype=dtype, loop=loop, init=False)
    except ConfigError as e:
        raise ModelFileError(f"{what} holds an invalid or unsupported config: {e}") from None
    used: set = set()
    slots = model.slots()
    with torch.no_grad():
        for name, p in slots:
            p.copy_(_take(tensors, used, name, list(p.shape), what))
        for d in directions_of(model.config):
            spec = d["spec"]
            if spec["cell"] != "plstm" or spec["pInit"]["mode"] != "fixed":
                continue
            name = f"layers.{d['layer']}.p_fixed{d['suffix']}"
            t = _take(tensors, used, name, [spec["hidden"]], what)
            p = spec["pInit"]["p"]
            tol = 1e-7 if t.dtype == torch.float32 else 0.0
            worst = float((t.double() - p).abs().max())
            if worst > tol:
                raise ModelFileError(f"{what}: {name} differs from the config's p = {p} by {worst}")
    saved_opt: Optional[SavedOptimizer] = None
    if "optimizer" in metadata:
        spec = _json(metadata["optimizer"], "optimizer", what)
        try:
            spec = resolve_optimizer_spec(spec)
        except ConfigError as e:
            raise ModelFileError(f"{what} holds an invalid optimizer: {e}") from None
        try:
            steps = int(metadata.get("optimizer_steps", "x"))
        except ValueError:
            steps = -1
        if steps < 0:
            raise ModelFileError(f"{what} has a bad optimizer_steps")
        names = sorted({k[len("optim."):].split(".")[0] for k in tensors if k.startswith("optim.")})
        state = {n: [_take(tensors, used, f"optim.{n}.{s}", list(p.shape), what).to(dtype) for s, p in slots] for n in names}
        saved_opt = SavedOptimizer(spec, steps, state)
        try:
            optimizer_from_saved([p for _, p in slots], saved_opt)  # checks the names and counts
        except ConfigError as e:
            raise ModelFileError(f"{what} has a bad optimizer state: {e}") from None
    extra = [k for k in tensors if k not in used]
    if extra:
        raise ModelFileError(f"{what} has tensors the config does not explain: {', '.join(extra[:3])}")
    model.meta = meta
    fc = meta.get("forecaster")
    model.forecaster = fc if isinstance(fc, dict) else None
    return model, saved_opt, meta


def load_checkpoint(path: str, loop: str = "script") -> Tuple[SequenceModel, Optional[SavedOptimizer], Dict[str, Any]]:
    """(module, saved optimizer or None, meta) from a model file; raises ModelFileError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ModelFileError(f"cannot read model file {path}: {e.strerror or e}") from None
    return model_from_bytes(data, f"model file {path}", loop)


def load_model(path: str, loop: str = "script") -> SequenceModel:
    """The module of any model file that TypeScript's saveModel, Forecaster.toBytes or
    save_model wrote, in the precision it was saved in, in eval mode. module(x) -> y (see
    SequenceModel). A forecaster file's settings and scalers are on module.forecaster,
    module.settings and module.scalers. Raises ModelFileError on anything it cannot load whole."""
    model, _, _ = load_checkpoint(path, loop)
    return model.eval()


def _unwrap(module) -> SequenceModel:
    m = getattr(module, "module", module)  # DistributedDataParallel
    if not isinstance(m, SequenceModel):
        raise TypeError(f"save_model needs a SequenceModel, got {type(module).__name__}")
    return m


def model_bytes(module, optimizer: Optional[Optimizer] = None, meta: Optional[Dict[str, Any]] = None) -> bytes:
    """The model file's bytes (see save_model)."""
    model = _unwrap(module)
    dtype = model.dtype
    name = "float64" if dtype == torch.float64 else "float32"
    slots = model.slots()
    tensors: Dict[str, Tensor] = {}
    for n, p in slots:
        tensors[n] = p.detach().to("cpu", dtype)
    for d in directions_of(model.config):
        spec = d["spec"]
        if spec["cell"] == "plstm" and spec["pInit"]["mode"] == "fixed":
            tensors[f"layers.{d['layer']}.p_fixed{d['suffix']}"] = torch.full((spec["hidden"],), spec["pInit"]["p"], dtype=dtype)
    out_meta = dict(model.meta if meta is None else meta)
    out_meta.pop("forecaster", None)  # the module's own forecaster state is the one saved
    if model.forecaster is not None:
        out_meta["forecaster"] = model.forecaster
    metadata = {"format": MODEL_FORMAT, "config": json.dumps(model.config, separators=(",", ":")),
                "dtype": name, "meta": json.dumps(out_meta, separators=(",", ":"), allow_nan=False)}
    if optimizer is not None:
        if len(optimizer.params) != len(slots) or any(a is not b for a, (_, b) in zip(optimizer.params, slots)):
            raise ConfigError("this optimizer belongs to another model (its parameters are not the model's slots)")
        metadata["optimizer"] = optimizer.saved_spec()
        metadata["optimizer_steps"] = str(optimizer.steps)
        for sname, bufs in optimizer.state_tensors().items():
            for (n, _), b in zip(slots, bufs):
                tensors[f"optim.{sname}.{n}"] = b.detach().to("cpu", dtype)
    return write_bytes(tensors, metadata)


def save_model(module, path: str, optimizer: Optional[Optimizer] = None, meta: Optional[Dict[str, Any]] = None) -> None:
    """Writes a model file that TypeScript's loadModel (and, for a module loaded from a
    forecaster file, Forecaster.fromBytes) reads: weights, config, dtype, meta (default: the
    module's own, which keeps a forecaster's settings and scalers) and optionally the optimizer's
    state. Atomic: a temporary file beside `path` renamed over it."""
    write_file_atomic(path, model_bytes(module, optimizer, meta))
