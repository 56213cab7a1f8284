"""Our optimizers and clipping (src/model/optimizers.ts, src/model/clip.ts), ported exactly.

The update rules are torch.optim's (Adam with bias correction, RMSprop not centered, SGD with
dampening 0; no weight decay), but computed as TypeScript computes them: every update in
float64 from the stored state, state and parameters rounded once on store. So a float64
checkpoint continues in TypeScript on the same trajectory (to the last bits of pow), and a
float32 one differs only by the gradients' float32 rounding, not by the optimizer's.

State tensors carry torch.optim's names (exp_avg, exp_avg_sq, square_avg, momentum_buffer),
one per trainable tensor, saved as `optim.<state>.<parameter name>` beside the weights, with
the spec (current lr included) in the metadata `optimizer` and the step count in
`optimizer_steps`, exactly as serialize.ts writes them.
"""
import json
import math
from typing import Any, Dict, List, Optional, Sequence

import torch
from torch import Tensor

from .config import ConfigError

__all__ = ["Optimizer", "resolve_optimizer_spec", "state_names_of", "clip_grad_norm", "global_norm", "OPTIMIZER_DEFAULTS"]

OPTIMIZER_DEFAULTS = {
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "momentum": 0},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "sgd": {"momentum": 0},
}


def _check(v: Any, what: str, ok, rng: str) -> float:
    if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and ok(v)):
        raise ConfigError(f"optimizer {what} must be {rng}, got {v!r}")
    return v


def resolve_optimizer_spec(spec: Any) -> Dict[str, Any]:
    """Fills in PyTorch's defaults and validates (as resolveOptimizerSpec); raises ConfigError."""
    if not isinstance(spec, dict):
        raise ConfigError("optimizer spec must be an object")
    lr = _check(spec.get("lr"), "lr", lambda x: x > 0, "> 0")

    def pick(name: str, kind: str):
        v = spec.get(name)
        return OPTIMIZER_DEFAULTS[kind][name] if v is None else v

    unit = lambda x: 0 <= x < 1  # noqa: E731
    kind = spec.get("kind")
    if kind == "adam":
        return {"kind": "adam", "lr": lr, "beta1": _check(pick("beta1", kind), "beta1", unit, "in [0, 1)"),
                "beta2": _check(pick("beta2", kind), "beta2", unit, "in [0, 1)"),
                "eps": _check(pick("eps", kind), "eps", lambda x: x > 0, "> 0")}
    if kind == "rmsprop":
        return {"kind": "rmsprop", "lr": lr, "alpha": _check(pick("alpha", kind), "alpha", unit, "in [0, 1)"),
                "eps": _check(pick("eps", kind), "eps", lambda x: x > 0, "> 0"),
                "momentum": _check(pick("momentum", kind), "momentum", unit, "in [0, 1)")}
    if kind == "sgd":
        return {"kind": "sgd", "lr": lr, "momentum": _check(pick("momentum", kind), "momentum", unit, "in [0, 1)")}
    raise ConfigError(f'unknown optimizer {kind!r}: use "rmsprop", "adam" or "sgd"')


def state_names_of(spec: Dict[str, Any]) -> List[str]:
    """Names of the state tensors, as PyTorch names them."""
    if spec["kind"] == "rmsprop":
        return ["square_avg", "momentum_buffer"] if spec["momentum"] > 0 else ["square_avg"]
    if spec["kind"] == "adam":
        return ["exp_avg", "exp_avg_sq"]
    return ["momentum_buffer"] if spec["momentum"] > 0 else []


class Optimizer:
    """Our optimizer over a list of parameters (the model's slots, in file order)."""

    def __init__(self, params: Sequence[Tensor], spec: Dict[str, Any]):
        self.spec = resolve_optimizer_spec(spec)
        self.lr: float = self.spec["lr"]
        self.params = list(params)
        self.steps = 0
        self.names = state_names_of(self.spec)
        self.state: Optional[Dict[str, List[Tensor]]] = None  # name -> one tensor per parameter

    def _ensure_state(self) -> Dict[str, List[Tensor]]:
        if self.state is None:
            self.state = {n: [torch.zeros_like(p, memory_format=torch.contiguous_format).detach() for p in self.params]
                          for n in self.names}
        return self.state

    @torch.no_grad()
    def step(self) -> None:
        """params -= update(grads), in place (a parameter without a gradient counts as zeros)."""
        st = self._ensure_state()
        self.steps += 1
        s, lr, t = self.spec, self.lr, self.steps
        for i, p in enumerate(self.params):
            g = p.grad.double() if p.grad is not None else torch.zeros_like(p, dtype=torch.float64)
            p64 = p.double()
            if s["kind"] == "adam":
                b1, b2, eps = s["beta1"], s["beta2"], s["eps"]
                step_size = lr / (1 - math.pow(b1, t))
                bc2_sqrt = math.sqrt(1 - math.pow(b2, t))
                m = b1 * st["exp_avg"][i].double() + (1 - b1) * g
                v = b2 * st["exp_avg_sq"][i].double() + (1 - b2) * g * g
                st["exp_avg"][i].copy_(m)
                st["exp_avg_sq"][i].copy_(v)
                p.copy_(p64 - (step_size * m) / (torch.sqrt(v) / bc2_sqrt + eps))
            elif s["kind"] == "rmsprop":
                alpha, eps, mom = s["alpha"], s["eps"], s["momentum"]
                v = alpha * st["square_avg"][i].double() + (1 - alpha) * g * g
                st["square_avg"][i].copy_(v)
                if mom > 0:
                    m = mom * st["momentum_buffer"][i].double() + g / (torch.sqrt(v) + eps)
                    st["momentum_buffer"][i].copy_(m)
                    p.copy_(p64 - lr * m)
                else:
                    p.copy_(p64 - (lr * g) / (torch.sqrt(v) + eps))
            else:
                mom = s["momentum"]
                if mom > 0:
                    m = mom * st["momentum_buffer"][i].double() + g
                    st["momentum_buffer"][i].copy_(m)
                    p.copy_(p64 - lr * m)
                else:
                    p.copy_(p64 - lr * g)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def saved_spec(self) -> str:
        """The metadata `optimizer`: the resolved spec with the current lr."""
        return json.dumps({**self.spec, "lr": self.lr}, separators=(",", ":"))

    def state_tensors(self) -> Dict[str, List[Tensor]]:
        """name -> one tensor per parameter (empty before the first step)."""
        return {} if self.state is None else self.state

    def load_state(self, steps: int, tensors: Dict[str, List[Tensor]]) -> None:
        """Restores a saved state (as state_tensors gives it) and the step count."""
        if not (isinstance(steps, int) and steps >= 0):
            raise ConfigError(f"optimizer step count must be a non-negative integer, got {steps!r}")
        if not tensors:
            self.state = None
            self.steps = steps
            return
        for n in tensors:
            if n not in self.names:
                raise ConfigError(f'unexpected optimizer state "{n}" for {self.spec["kind"]}')
        state = {}
        for n in self.names:
            if n not in tensors:
                raise ConfigError(f'optimizer state "{n}" is missing for {self.spec["kind"]}')
            if len(tensors[n]) != len(self.params):
                raise ConfigError(f'optimizer state "{n}" has {len(tensors[n])} tensors, the model {len(self.params)}')
            state[n] = [t.detach().to(p.dtype).to(p.device).clone().reshape(p.shape) for t, p in zip(tensors[n], self.params)]
        self.state = state
        self.steps = steps


def global_norm(params: Sequence[Tensor]) -> float:
    """The L2 norm of all gradients together, summed in float64."""
    s = 0.0
    for p in params:
        if p.grad is not None:
            s += float(torch.sum(p.grad.double() ** 2))
    return math.sqrt(s)


@torch.no_grad()
def clip_grad_norm(params: Sequence[Tensor], max_norm: float) -> float:
    """Scales every gradient by max_norm / (norm + 1e-6) when that is below 1 (PyTorch's rule,
    clip.ts's arithmetic). Returns the norm before clipping; a non-finite norm scales nothing."""
    norm = global_norm(params)
    if not math.isfinite(norm):
        return norm
    coef = max_norm / (norm + 1e-6)
    if coef < 1:
        for p in params:
            if p.grad is not None:
                p.grad.copy_(p.grad.double() * coef)
    return norm
