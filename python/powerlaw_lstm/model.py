"""The sequence model as a torch.nn.Module: input (one-hot, embedding or dense) -> stacked
recurrent layers (pLSTM or LSTM; forward, reversed or bidirectional; dropout on their outputs
in training) -> linear head (every step or the last) -> loss (xent, mse or pinball).
The same model as src/model/sequence-model.ts, with the same parameter names and file layout.

B = batch, T = time, I = a layer's input width, H = hidden size of one direction,
W = a layer's output width (H, or 2H bidirectional), O = head outputs, G = gates (3 or 4).

Parameters (state_dict keys = tensor names of the model file):
    embedding.weight [V, D]                                  (embedding input only)
    layers.<l>.weight_ih [G*H, I]  .weight_hh [G*H, H]  .bias [G*H]  .p_param [H] (learned p)
    (bidirectional: the same with the suffix _reverse)
    head.weight [O, W_top]  head.bias [O]
and, as buffers, layers.<l>.p_fixed [H] for a fixed p (p itself, as the file stores it).

Conventions (config.ts): a reversed layer's output t is the state after reading steps
T-1 .. t (outputs stay in input order) and its final state is the one after step 0; a
bidirectional layer concatenates [forward | reversed] per step; a 'last' head reads the final
h of every direction of the top layer, side by side. Dropout: inverted dropout on each layer's
outputs (on [B, W] under a 'last' head) in training mode only; its masks come from torch's
generator, not from the TypeScript model's.

Initial weights: drawn from the TypeScript generator (rng.py) in TypeScript's order, so a
config and a seed give the same starting numbers in both (see sequence-model.ts).
"""
import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from .cells import run_lstm, run_plstm
from .config import ConfigError, directions_of, input_width, layer_width, resolve_config
from .rng import Rng

__all__ = ["SequenceModel", "RecurrentLayer", "sequence_loss", "State"]

# One (h, c, a) per direction (a is None for the LSTM), each [B, H].
State = List[Tuple[Tensor, Tensor, Optional[Tensor]]]

U_CLAMP = 1e-6
THETA_FOR_P_ONE = 40.0


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _fixed_theta(p: float) -> float:
    return _logit(p) if p < 1 else THETA_FOR_P_ONE


class RecurrentLayer(nn.Module):
    """One layer: one direction (forward or reversed) or two (bidirectional), of one cell."""

    def __init__(self, spec: Dict[str, Any], input_size: int, dtype: torch.dtype):
        super().__init__()
        self.cell: str = spec["cell"]
        self.hidden: int = spec["hidden"]
        self.input_size = input_size
        self.reverse: bool = spec["reverse"]
        self.bidirectional: bool = spec["bidirectional"]
        self.dropout: float = float(spec["dropout"])
        self.eps: float = float(spec.get("eps", 1e-3))
        pinit = spec.get("pInit") or {"mode": "uniform"}
        self.fixed_p: Optional[float] = float(pinit["p"]) if self.cell == "plstm" and pinit["mode"] == "fixed" else None
        G = 3 if self.cell == "plstm" else 4
        H = self.hidden
        self.suffixes = ["", "_reverse"] if self.bidirectional else [""]
        for sfx in self.suffixes:
            self.register_parameter("weight_ih" + sfx, nn.Parameter(torch.zeros(G * H, input_size, dtype=dtype)))
            self.register_parameter("weight_hh" + sfx, nn.Parameter(torch.zeros(G * H, H, dtype=dtype)))
            self.register_parameter("bias" + sfx, nn.Parameter(torch.zeros(G * H, dtype=dtype)))
            if self.cell == "plstm":
                if self.fixed_p is None:
                    self.register_parameter("p_param" + sfx, nn.Parameter(torch.zeros(H, dtype=dtype)))
                else:
                    self.register_buffer("p_fixed" + sfx, torch.full((H,), self.fixed_p, dtype=dtype))

    @property
    def width(self) -> int:
        return 2 * self.hidden if self.bidirectional else self.hidden

    def directions(self) -> List[Tuple[str, bool]]:
        """(suffix, runs reversed) of each direction, in state order."""
        if self.bidirectional:
            return [("", False), ("_reverse", True)]
        return [("", self.reverse)]

    def exponent(self, sfx: str, like: Tensor) -> Tensor:
        """p [H]: sigmoid(p_param), or the fixed p."""
        if self.fixed_p is not None:
            return torch.full((self.hidden,), self.fixed_p, dtype=like.dtype, device=like.device)
        return torch.sigmoid(getattr(self, "p_param" + sfx))

    def project(self, x: Tensor, sfx: str, onehot: bool) -> Tensor:
        """x W_ih^T + b for every step: [B, T, G*H]. x: [B, T, I], or ids [B, T] when onehot."""
        w = getattr(self, "weight_ih" + sfx)
        b = getattr(self, "bias" + sfx)
        if onehot:
            return F.embedding(x, w.t()) + b  # row gather of W_ih^T: one-hot times a matrix
        return torch.matmul(x, w.t()) + b

    def forward(self, x: Tensor, state: Optional[State] = None, onehot: bool = False,
                loop: str = "script") -> Tuple[Tensor, State]:
        """x: [B, T, I] (ids [B, T] when onehot). state: one (h, c, a) per direction or None
        (zeros, age 0). Returns the outputs [B, T, W] in input time order and the final states."""
        B = x.shape[0]
        H = self.hidden
        outs: List[Tensor] = []
        finals: State = []
        ref = getattr(self, "weight_hh")
        for k, (sfx, rev) in enumerate(self.directions()):
            zx = self.project(x, sfx, onehot).transpose(0, 1)  # [T, B, G*H]
            if rev:
                zx = zx.flip(0)
            if state is None:
                h0 = ref.new_zeros(B, H)
                c0 = ref.new_zeros(B, H)
                a0 = ref.new_zeros(B, H)
            else:
                h0, c0, a0 = state[k]
                if a0 is None:
                    a0 = ref.new_zeros(B, H)
            w_hh = getattr(self, "weight_hh" + sfx)
            if self.cell == "plstm":
                hs, h, c, a = run_plstm(zx, w_hh, self.exponent(sfx, ref), self.eps, h0, c0, a0, loop)
                finals.append((h, c, a))
            else:
                hs, h, c = run_lstm(zx, w_hh, h0, c0, loop)
                finals.append((h, c, None))
            if rev:
                hs = hs.flip(0)
            outs.append(hs.transpose(0, 1))  # [B, T, H]
        out = outs[0] if len(outs) == 1 else torch.cat(outs, dim=2)
        return out, finals


class SequenceModel(nn.Module):
    """A whole model from a ModelConfig (JSON dict). `module(x)` -> y:
    x: dense float [B, T, I] or token ids int64 [B, T]; y: [B, T, O] (head steps 'all') or
    [B, O] ('last'), the head's raw outputs (logits for xent).

    loop: 'script' (the TorchScript time loop, default) or 'python' (a Python loop over a
    scripted step). Attributes set by load_model: `meta` (the file's extra info), and for a
    forecaster file `forecaster` (its settings, scalers, ...: the dict the TypeScript
    Forecaster saved), `settings` and `scalers` (shortcuts into it).
    """

    def __init__(self, config: Dict[str, Any], dtype: torch.dtype = torch.float32, loop: str = "script",
                 init: bool = True):
        super().__init__()
        if dtype not in (torch.float32, torch.float64):
            raise ConfigError(f"dtype must be torch.float32 or torch.float64, got {dtype}")
        if loop not in ("script", "python"):
            raise ConfigError(f"loop must be 'script' or 'python', got {loop!r}")
        self.config = resolve_config(config)
        self.loop = loop
        self.meta: Dict[str, Any] = {}
        self.forecaster: Optional[Dict[str, Any]] = None
        cfg = self.config
        inp = cfg["input"]
        self.input_kind: str = inp["kind"]
        if inp["kind"] == "embedding":
            self.embedding = nn.Embedding(inp["vocab"], inp["dim"], dtype=dtype)
        widths = [input_width(inp)] + [layer_width(l) for l in cfg["layers"]]
        self.layers = nn.ModuleList([RecurrentLayer(spec, widths[i], dtype) for i, spec in enumerate(cfg["layers"])])
        self.head = nn.Linear(widths[-1], cfg["head"]["size"], dtype=dtype)
        self.head_steps: str = cfg["head"]["steps"]
        if init:
            self.reset_parameters()

    # ----- what TypeScript's model has too

    @property
    def dtype(self) -> torch.dtype:
        return self.head.weight.dtype

    @property
    def settings(self) -> Optional[Dict[str, Any]]:
        return None if self.forecaster is None else self.forecaster.get("settings")

    @property
    def scalers(self) -> Optional[Dict[str, Any]]:
        return None if self.forecaster is None else self.forecaster.get("scalers")

    def slots(self) -> List[Tuple[str, nn.Parameter]]:
        """Trainable tensors in the order of TypeScript's flat parameter buffer (and the file)."""
        out: List[Tuple[str, nn.Parameter]] = []
        if self.input_kind == "embedding":
            out.append(("embedding.weight", self.embedding.weight))
        for d in directions_of(self.config):
            layer = self.layers[d["layer"]]
            for n in ("weight_ih", "weight_hh", "bias", "p_param"):
                p = getattr(layer, n + d["suffix"], None)
                if isinstance(p, nn.Parameter):
                    out.append((f"layers.{d['layer']}.{n}{d['suffix']}", p))
        out.append(("head.weight", self.head.weight))
        out.append(("head.bias", self.head.bias))
        return out

    @torch.no_grad()
    def reset_parameters(self) -> None:
        """TypeScript's seeded initialisation (sequence-model.ts, cells/init.ts), same draws in the
        same order: embedding ~ N(0, 1); per direction W_ih, W_hh, b ~ U(-1/sqrt(H), 1/sqrt(H)),
        then theta by pInit (LSTM: chrono, then the forget bias); head ~ U(-1/sqrt(W), 1/sqrt(W))."""
        rng = Rng(self.config["seed"])

        def fill(t: Tensor, values: Sequence[float]) -> None:
            t.copy_(torch.tensor(values, dtype=torch.float64).reshape(t.shape))

        if self.input_kind == "embedding":
            w = self.embedding.weight
            fill(w, [rng.normal() for _ in range(w.numel())])
        for d in directions_of(self.config):
            layer: RecurrentLayer = self.layers[d["layer"]]
            spec, sfx = d["spec"], d["suffix"]
            H = spec["hidden"]
            bound = 1 / math.sqrt(H)
            w_ih, w_hh, b = (getattr(layer, n + sfx) for n in ("weight_ih", "weight_hh", "bias"))
            fill(w_ih, rng.ranges(w_ih.numel(), -bound, bound))
            fill(w_hh, rng.ranges(w_hh.numel(), -bound, bound))
            bias = rng.ranges(b.numel(), -bound, bound)
            if spec["cell"] == "plstm":
                pinit = spec["pInit"]
                if pinit["mode"] == "range":
                    fill(getattr(layer, "p_param" + sfx), rng.ranges(H, pinit["lo"], pinit["hi"]))
                elif pinit["mode"] == "uniform":
                    fill(getattr(layer, "p_param" + sfx),
                         [_logit(min(max(rng.uniform(), U_CLAMP), 1 - U_CLAMP)) for _ in range(H)])
            else:
                if spec["chrono"] is not None:
                    for j in range(H):
                        bf = math.log(rng.range(1, spec["chrono"] - 1))
                        bias[H + j] = bf
                        bias[j] = -bf
                for j in range(H):
                    bias[H + j] += spec["forgetBias"]
            fill(b, bias)
        W = self.head.weight.shape[1]
        bound = 1 / math.sqrt(W)
        fill(self.head.weight, rng.ranges(self.head.weight.numel(), -bound, bound))
        fill(self.head.bias, rng.ranges(self.head.bias.numel(), -bound, bound))

    def p_summary(self) -> List[Tuple[int, Tensor]]:
        """The exponents p per pLSTM layer (forward units first, then reversed ones)."""
        out = []
        for i, layer in enumerate(self.layers):
            if layer.cell == "plstm":
                out.append((i, torch.cat([layer.exponent(s, self.head.weight).detach() for s, _ in layer.directions()])))
        return out

    # ----- forward

    def check_input(self, x: Tensor) -> Tensor:
        """x as the model reads it, or a ValueError/TypeError saying what is wrong."""
        if not isinstance(x, Tensor):
            raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
        inp = self.config["input"]
        if inp["kind"] == "dense":
            if x.dim() != 3 or x.shape[2] != inp["size"]:
                raise ValueError(f"dense input x must be [B, T, I] with I = {inp['size']}, got {list(x.shape)}")
            if not x.is_floating_point():
                raise TypeError(f"dense input x must be float32 or float64, got {x.dtype}")
            x = x.to(device=self.head.weight.device, dtype=self.dtype)
            if not bool(torch.isfinite(x).all()):
                raise ValueError("input x contains NaN or infinity")
            return x
        V = inp["size"] if inp["kind"] == "onehot" else inp["vocab"]
        if x.dim() != 2:
            raise ValueError(f"{inp['kind']} input x must be token ids [B, T], got shape {list(x.shape)}")
        if x.is_floating_point() or x.dtype == torch.bool:
            raise TypeError(f"{inp['kind']} input x must be integer token ids (int64), got {x.dtype}")
        x = x.to(device=self.head.weight.device, dtype=torch.long)
        if x.numel() > 0 and (int(x.min()) < 0 or int(x.max()) >= V):
            raise ValueError(f"token ids must be in 0..{V - 1}, got {int(x.min())}..{int(x.max())}")
        return x

    def run(self, x: Tensor, state: Optional[State] = None) -> Tuple[Tensor, State]:
        """Outputs y and the final state (one (h, c, a) per direction, in file order) of x from
        `state` (None = zeros). Dropout applies in training mode."""
        x = self.check_input(x)
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"x needs B >= 1 and T >= 1, got shape {list(x.shape)}")
        kind = self.input_kind
        cur = self.embedding(x) if kind == "embedding" else x
        finals: State = []
        at = 0
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            n = len(layer.directions())
            s = None if state is None else state[at:at + n]
            at += n
            out, fin = layer(cur, s, onehot=(i == 0 and kind == "onehot"), loop=self.loop)
            finals.extend(fin)
            if i == last and self.head_steps == "last":
                out = torch.cat([f[0] for f in fin], dim=1) if len(fin) > 1 else fin[0][0]  # [B, W]
            if layer.dropout > 0 and self.training:
                out = F.dropout(out, layer.dropout, True)
            cur = out
        return self.head(cur), finals

    def forward(self, x: Tensor, state: Optional[State] = None) -> Tensor:
        return self.run(x, state)[0]

    def loss(self, out: Tensor, y: Tensor, weights: Optional[Tensor] = None) -> Tensor:
        """The config's loss of outputs `out` against targets `y` (see sequence_loss)."""
        return sequence_loss(self.config, out, y, weights)


def sequence_loss(config: Dict[str, Any], out: Tensor, y: Tensor, weights: Optional[Tensor] = None) -> Tensor:
    """Our losses and their reductions (src/model/loss.ts). Rows: N = B*T (head 'all') or B.
    xent: mean over rows of -log softmax(out)[y]; with row weights w: sum(w nll) / sum(w)
          (rows of weight 0 are masked). y: class ids [B, T] or [B].
    mse:  mean over all N*O elements of (out - y)^2; with w: sum_n w_n sum_o d^2 / (O sum(w)).
    pinball: as mse with rho_q(y - out) = max(q u, (q - 1) u), q = quantiles[o % Q]; the
          gradient at out == y is taken from the side out > y. y: as out."""
    O = out.shape[-1]
    o2 = out.reshape(-1, O)
    N = o2.shape[0]
    w = None
    if weights is not None:
        w = weights.reshape(-1).to(o2.dtype)
        if w.shape[0] != N:
            raise ValueError(f"weights have {w.shape[0]} rows, outputs {N}")
    loss_kind = config["loss"]
    if loss_kind == "xent":
        ids = y.reshape(-1).long()
        if ids.shape[0] != N:
            raise ValueError(f"xent targets have {ids.shape[0]} ids, outputs {N} rows")
        if w is not None:
            ids = torch.where(w == 0, torch.zeros_like(ids), ids)  # masked rows: target not read
        nll = F.cross_entropy(o2, ids, reduction="none")
        if w is None:
            return nll.mean()
        return (w * nll).sum() / w.sum()
    t = y.reshape(-1, O).to(o2.dtype)
    if t.shape[0] != N:
        raise ValueError(f"targets have shape {list(y.shape)}, outputs {list(out.shape)}")
    d = o2 - t
    if loss_kind == "mse":
        rho = d * d
    else:
        q = torch.tensor(config["quantiles"], dtype=o2.dtype, device=o2.device).repeat(O // len(config["quantiles"]))
        rho = torch.where(d < 0, -q * d, (1 - q) * d)
    if w is None:
        return rho.sum() / (O * N)
    return (w[:, None] * rho).sum() / (O * w.sum())
