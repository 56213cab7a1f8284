"""The pLSTM and LSTM time loops, with our equations exactly (the TypeScript reference cells,
src/cells/plstm.ts and src/cells/lstm.ts).

B = batch, T = time steps, I = input size, H = hidden size.

pLSTM (Chien et al. 2021, "Slower is Better"), age form, gate rows r, o, g:
    z   = x_t W_ih^T + b + h_{t-1} W_hh^T
    r   = sigmoid(z_r)   o = sigmoid(z_o)   g = tanh(z_g)
    a_t = r eps + (1 - r)(a_{t-1} + 1)          # steps since the last reset
    f   = ((a_t + eps) / (a_t + 1)) ^ p          # p = sigmoid(theta), or fixed
    c_t = f c_{t-1} + (1 - f) g                  # input gate tied to 1 - f
    h_t = o tanh(c_t)
LSTM: PyTorch's gates i, f, g, o with one bias (bias_ih + bias_hh, as our files store it).

As the fused kernels do, the input projection of all steps is one matrix product before the
loop; the loop does one h W_hh^T per step. The projection is split into its T steps with
unbind (whose backward stacks the T step gradients) rather than indexed per step: the
backward of zx[t] writes a zero tensor of the whole [T, B, G*H] for every step, T^2 work that
made a 219-step batch 15x slower. Two forms of the loop:
  * `plstm_loop` / `lstm_loop`: the whole loop compiled by TorchScript (torch.jit.script), as
    the pLSTM authors compiled theirs: the fastest PyTorch gets without custom kernels.
  * `plstm_loop_python` / `lstm_loop_python`: a Python loop over a compiled single step
    (`plstm_step`, `lstm_step`), the per-step cell of the authors' prototype; kept for the
    benchmark's comparison.
Autograd differentiates both.
"""
from typing import List, Tuple

import torch
from torch import Tensor


@torch.jit.script
def plstm_step(zx: Tensor, w_t: Tensor, p: Tensor, eps: float, h: Tensor, c: Tensor,
               a: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """One pLSTM step. zx: [B, 3H] (x_t W_ih^T + b); w_t: W_hh^T [H, 3H]; p: [H]; h, c, a: [B, H]."""
    z = zx + torch.mm(h, w_t)  # [B, 3H]: rows r | o | g
    zr, zo, zg = z.chunk(3, 1)
    r = torch.sigmoid(zr)
    o = torch.sigmoid(zo)
    g = torch.tanh(zg)
    a = r * eps + (1.0 - r) * (a + 1.0)
    f = torch.pow((a + eps) / (a + 1.0), p)
    c = f * c + (1.0 - f) * g
    h = o * torch.tanh(c)
    return h, c, a


@torch.jit.script
def plstm_loop(zx: Tensor, w_hh: Tensor, p: Tensor, eps: float, h: Tensor, c: Tensor,
               a: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """The pLSTM over zx [T, B, 3H] from (h, c, a) [B, H]: (h_seq [T, B, H], h, c, a)."""
    w_t = w_hh.t()  # once, not per step
    outs: List[Tensor] = []
    for zt in zx.unbind(0):
        # one step (TorchScript inlines the scripted call into this loop)
        h, c, a = plstm_step(zt, w_t, p, eps, h, c, a)
        outs.append(h)
    return torch.stack(outs), h, c, a


@torch.jit.script
def lstm_step(zx: Tensor, w_hh: Tensor, h: Tensor, c: Tensor) -> Tuple[Tensor, Tensor]:
    """One LSTM step. zx: [B, 4H] (x_t W_ih^T + b); w_hh: [4H, H]; h, c: [B, H]."""
    z = zx + torch.mm(h, w_hh.t())  # [B, 4H]: rows i | f | g | o
    zi, zf, zg, zo = z.chunk(4, 1)
    c = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
    h = torch.sigmoid(zo) * torch.tanh(c)
    return h, c


@torch.jit.script
def lstm_loop(zx: Tensor, w_hh: Tensor, h: Tensor, c: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """The LSTM over zx [T, B, 4H] from (h, c) [B, H]: (h_seq [T, B, H], h, c)."""
    w_t = w_hh.t()
    outs: List[Tensor] = []
    for zt in zx.unbind(0):
        z = zt + torch.mm(h, w_t)  # [B, 4H]
        zi, zf, zg, zo = z.chunk(4, 1)
        c = torch.sigmoid(zf) * c + torch.sigmoid(zi) * torch.tanh(zg)
        h = torch.sigmoid(zo) * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs), h, c


def plstm_loop_python(zx: Tensor, w_hh: Tensor, p: Tensor, eps: float, h: Tensor, c: Tensor,
                      a: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """plstm_loop with the loop in Python (one compiled step per call)."""
    w_t = w_hh.t()
    outs = []
    for zt in zx.unbind(0):
        h, c, a = plstm_step(zt, w_t, p, eps, h, c, a)
        outs.append(h)
    return torch.stack(outs), h, c, a


def lstm_loop_python(zx: Tensor, w_hh: Tensor, h: Tensor, c: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """lstm_loop with the loop in Python (one compiled step per call)."""
    outs = []
    for zt in zx.unbind(0):
        h, c = lstm_step(zt, w_hh, h, c)
        outs.append(h)
    return torch.stack(outs), h, c


def run_plstm(zx: Tensor, w_hh: Tensor, p: Tensor, eps: float, h: Tensor, c: Tensor, a: Tensor,
              loop: str = 'script') -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """The pLSTM over zx [T, B, 3H] with the loop `loop` ('script' or 'python')."""
    return (plstm_loop if loop == 'script' else plstm_loop_python)(zx, w_hh, p, eps, h, c, a)


def run_lstm(zx: Tensor, w_hh: Tensor, h: Tensor, c: Tensor,
             loop: str = 'script') -> Tuple[Tensor, Tensor, Tensor]:
    """The LSTM over zx [T, B, 4H] with the loop `loop` ('script' or 'python')."""
    return (lstm_loop if loop == 'script' else lstm_loop_python)(zx, w_hh, h, c)
