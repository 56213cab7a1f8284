"""Model configs: our ModelConfig JSON (src/model/config.ts), its defaults and validation.

A config is the JSON that every model file stores under the metadata key `config`:
    {"input": {"kind": "onehot", "size": 10} | {"kind": "embedding", "vocab": V, "dim": D}
              | {"kind": "dense", "size": I},
     "layers": [{"cell": "plstm" | "lstm", "hidden": H, "eps"?, "pInit"?, "forgetBias"?,
                 "chrono"?, "reverse"?, "bidirectional"?, "dropout"?}, ...],
     "head": {"size": O, "steps": "all" | "last"},
     "loss": "xent" | "mse" | "pinball", "quantiles"?: [...], "seed": 1}
`resolve_config` fills in the defaults exactly as TypeScript's resolveConfig does and raises
ConfigError naming the first problem. Cells registered in TypeScript with registerCell have no
twin here: a config with one is refused.
"""
import copy
import math
from typing import Any, Dict, List

__all__ = ["ConfigError", "DEFAULT_EPS", "resolve_config", "directions_of", "layer_width", "input_width"]

DEFAULT_EPS = 1e-3


class ConfigError(ValueError):
    """An invalid or unsupported model config or training option."""


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _pos_int(v: Any, what: str) -> int:
    if not (isinstance(v, int) and not isinstance(v, bool) and v > 0) and not (isinstance(v, float) and v.is_integer() and v > 0):
        raise ConfigError(f"{what} must be a positive integer, got {v!r}")
    return int(v)


def _resolve_input(spec: Any) -> Dict[str, Any]:
    if not isinstance(spec, dict):
        raise ConfigError('input must be an object like {"kind": "onehot", "size": 10}')
    kind = spec.get("kind")
    if kind == "onehot":
        return {"kind": "onehot", "size": _pos_int(spec.get("size"), "input.size (one-hot vocabulary)")}
    if kind == "dense":
        return {"kind": "dense", "size": _pos_int(spec.get("size"), "input.size (features per step)")}
    if kind == "embedding":
        return {"kind": "embedding", "vocab": _pos_int(spec.get("vocab"), "input.vocab (embedding vocabulary)"),
                "dim": _pos_int(spec.get("dim"), "input.dim (embedding size)")}
    raise ConfigError(f'unknown input kind {kind!r}: use "onehot", "embedding" or "dense"')


def _resolve_pinit(v: Any, name: str) -> Dict[str, Any]:
    if v is None:
        return {"mode": "uniform"}
    if not isinstance(v, dict):
        raise ConfigError(f'{name} must be an object like {{"mode": "uniform"}}')
    mode = v.get("mode")
    if mode == "uniform":
        return {"mode": "uniform"}
    if mode == "range":
        lo, hi = v.get("lo"), v.get("hi")
        if not (_is_num(lo) and _is_num(hi) and lo <= hi):
            raise ConfigError(f"{name} range (theta ~ U(lo, hi)) must be two finite numbers lo, hi with lo <= hi, got lo={lo} hi={hi}")
        return {"mode": "range", "lo": lo, "hi": hi}
    if mode == "fixed":
        p = v.get("p")
        if not (_is_num(p) and 0 < p <= 1):
            raise ConfigError(f"{name} fixed p must be in (0, 1], got {p!r}")
        return {"mode": "fixed", "p": p}
    raise ConfigError(f'unknown {name} mode {mode!r}: use "uniform", "range" or "fixed"')


def _resolve_layer(s: Any, l: int) -> Dict[str, Any]:
    where = f"layers[{l}]"
    if not isinstance(s, dict):
        raise ConfigError(f"{where} must be an object")
    cell = s.get("cell")
    if cell not in ("plstm", "lstm"):
        raise ConfigError(f'unknown cell {cell!r} in {where}: the PyTorch twin has the built-in cells "plstm" and "lstm" '
                          "(a cell registered with registerCell in TypeScript has no twin)")
    hidden = _pos_int(s.get("hidden"), f"{where}.hidden (H)")
    reverse, bidi = s.get("reverse", False), s.get("bidirectional", False)
    for k, v in (("reverse", reverse), ("bidirectional", bidi)):
        if not isinstance(v, bool):
            raise ConfigError(f"{where}.{k} must be true or false, got {v!r}")
    dropout = s.get("dropout", 0)
    if not (_is_num(dropout) and 0 <= dropout < 1):
        raise ConfigError(f"{where}.dropout must be a rate in [0, 1), got {dropout!r}")
    if reverse and bidi:
        raise ConfigError(f"{where}: reverse and bidirectional together: a bidirectional layer already runs one direction reversed")
    options = {"reverse": reverse, "bidirectional": bidi, "dropout": dropout}
    eps = s.get("eps", DEFAULT_EPS)
    if not (_is_num(eps) and 0 < eps < 1):
        raise ConfigError(f"{where}.eps must be a number in (0, 1), got {eps!r}")
    pinit = _resolve_pinit(s.get("pInit"), f"{where}.pInit")
    forget_bias = s.get("forgetBias", 0)
    if not _is_num(forget_bias):
        raise ConfigError(f"{where}.forgetBias must be a finite number, got {forget_bias!r}")
    chrono = s.get("chrono")
    if chrono is not None and not (_is_num(chrono) and chrono > 2):
        raise ConfigError(f"{where}.chrono (Tmax) must be a number > 2, got {chrono!r}")
    if cell == "lstm" and (s.get("pInit") is not None or s.get("eps") is not None):
        raise ConfigError(f'{where}: eps and pInit are pLSTM settings; this layer is an "lstm"')
    if cell == "plstm" and ((s.get("forgetBias") not in (None, 0)) or chrono is not None):
        raise ConfigError(f'{where}: forgetBias and chrono are LSTM settings; this layer is a "plstm"')
    if cell == "plstm":
        return {"cell": "plstm", "hidden": hidden, "eps": eps, "pInit": pinit, **options}
    return {"cell": "lstm", "hidden": hidden, "forgetBias": forget_bias, "chrono": chrono, **options}


def resolve_config(config: Any) -> Dict[str, Any]:
    """Fills in defaults and validates (as TypeScript's resolveConfig); raises ConfigError."""
    if not isinstance(config, dict):
        raise ConfigError("model config must be an object")
    inp = _resolve_input(config.get("input"))
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ConfigError("layers must be a non-empty array of { cell, hidden, ... }")
    layers = [_resolve_layer(l, i) for i, l in enumerate(layers)]
    head = config.get("head")
    if not isinstance(head, dict):
        raise ConfigError("head must be { size, steps }")
    size = _pos_int(head.get("size"), "head.size (O)")
    if head.get("steps") not in ("all", "last"):
        raise ConfigError(f'head.steps must be "all" or "last", got {head.get("steps")!r}')
    loss = config.get("loss")
    if loss not in ("xent", "mse", "pinball"):
        raise ConfigError(f'unknown loss {loss!r}: use "xent", "mse" or "pinball"')
    q = config.get("quantiles")
    if loss != "pinball":
        if q is not None:
            raise ConfigError(f'quantiles are a setting of loss "pinball", not of "{loss}"')
    else:
        if not isinstance(q, list) or not q or not all(_is_num(v) and 0 < v < 1 for v in q):
            raise ConfigError('loss "pinball" needs quantiles: a non-empty array of levels in (0, 1), e.g. [0.1, 0.5, 0.9]')
        if size % len(q) != 0:
            raise ConfigError(f"head.size {size} is not a multiple of the {len(q)} quantiles (outputs come in groups of Q)")
    if loss == "xent" and size < 2:
        raise ConfigError(f'loss "xent" needs a head with at least 2 classes, got head.size={size} (use loss "mse" for one output)')
    seed = config.get("seed")
    if not (isinstance(seed, int) and not isinstance(seed, bool)) and not (isinstance(seed, float) and seed.is_integer()):
        raise ConfigError(f"seed must be an integer, got {seed!r}")
    out = {"input": inp, "layers": layers, "head": {"size": size, "steps": head["steps"]}, "loss": loss, "seed": int(seed)}
    if loss == "pinball":
        out["quantiles"] = list(q)
    return out


def directions_of(cfg: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Every recurrent direction in file order: layer 0, layer 0 reversed (bidirectional), layer 1, ..."""
    out = []
    for l, spec in enumerate(cfg["layers"]):
        out.append({"layer": l, "spec": spec, "suffix": "", "reverse": spec["reverse"]})
        if spec["bidirectional"]:
            out.append({"layer": l, "spec": spec, "suffix": "_reverse", "reverse": True})
    return out


def layer_width(spec: Dict[str, Any]) -> int:
    """A layer's output width: H, or 2H when bidirectional."""
    return 2 * spec["hidden"] if spec["bidirectional"] else spec["hidden"]


def input_width(inp: Dict[str, Any]) -> int:
    """I of the first recurrent layer."""
    return inp["dim"] if inp["kind"] == "embedding" else inp["size"]


def clone(cfg: Dict[str, Any]) -> Dict[str, Any]:
    return copy.deepcopy(cfg)
