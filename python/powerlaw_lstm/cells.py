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
loop; the loop does one h W_hh^T per step. Two forms of the loop:
  * `plstm_loop` / `lstm_loop`: the whole loop compiled by TorchScript (torch.jit.script), as
    the pLSTM authors compiled theirs: the fastest PyTorch gets without custom kernels.
  * `plstm_loop_python` / `lstm_loop_python`: a Python loop over a compiled single step
    (`plstm_step`, `lstm_step`), kept for the benchmark's comparison.
Autograd differentiates both.
"""
from typing import List, Tuple

import torch
from torch import Tensor


@torch.jit.script
def plstm_step(zx: Tensor, w_hh: Tensor, p: Tensor, eps: float, h: Tensor, c: Tensor,
               a: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """One pLSTM step. zx: [B, 3H] (x_t W_ih^T + b); w_hh: [3H, H]; p: [H]; h, c, a: [B, H]."""
    H = h.size(1)
    z = zx + torch.mm(h, w_hh.t())  # [B, 3H]
    r = torch.sigmoid(z[:, :H])
    o = torch.sigmoid(z[:, H:2 * H])
    g = torch.tanh(z[:, 2 * H:])
    a = r * eps + (1 - r) * (a + 1)
    f = torch.pow((a + eps) / (a + 1), p)
    c = f * c + (1 - f) * g
    h = o * torch.tanh(c)
    return h, c, a


@torch.jit.script
def plstm_loop(zx: Tensor, w_hh: Tensor, p: Tensor, eps: float, h: Tensor, c: Tensor,
               a: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """The pLSTM over zx [T, B, 3H] from (h, c, a) [B, H]: (h_seq [T, B, H], h, c, a)."""
    H = h.size(1)
    w_t = w_hh.t()
    outs: List[Tensor] = []
    for t in range(zx.size(0)):
        z = zx[t] + torch.mm(h, w_t)  # [B, 3H]
        r = torch.sigmoid(z[:, :H])
        o = torch.sigmoid(z[:, H:2 * H])
        g = torch.tanh(z[:, 2 * H:])
        a = r * eps + (1 - r) * (a + 1)
        f = torch.pow((a + eps) / (a + 1), p)
        c = f * c + (1 - f) * g
        h = o * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs), h, c, a


@torch.jit.script
def lstm_step(zx: Tensor, w_hh: Tensor, h: Tensor, c: Tensor) -> Tuple[Tensor, Tensor]:
    """One LSTM step. zx: [B, 4H] (x_t W_ih^T + b); w_hh: [4H, H]; h, c: [B, H]."""
    H = h.size(1)
    z = zx + torch.mm(h, w_hh.t())  # [B, 4H]: rows i, f, g, o
    i = torch.sigmoid(z[:, :H])
    f = torch.sigmoid(z[:, H:2 * H])
    g = torch.tanh(z[:, 2 * H:3 * H])
    o = torch.sigmoid(z[:, 3 * H:])
    c = f * c + i * g
    h = o * torch.tanh(c)
    return h, c


@torch.jit.script
def lstm_loop(zx: Tensor, w_hh: Tensor, h: Tensor, c: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """The LSTM over zx [T, B, 4H] from (h, c) [B, H]: (h_seq [T, B, H], h, c)."""
    H = h.size(1)
    w_t = w_hh.t()
    outs: List[Tensor] = []
    for t in range(zx.size(0)):
        z = zx[t] + torch.mm(h, w_t)  # [B, 4H]
        i = torch.sigmoid(z[:, :H])
        f = torch.sigmoid(z[:, H:2 * H])
        g = torch.tanh(z[:, 2 * H:3 * H])
        o = torch.sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * torch.tanh(c)
        outs.append(h)
    return torch.stack(outs), h, c


def plstm_loop_python(zx: Tensor, w_hh: Tensor, p: Tensor, eps: float, h: Tensor, c: Tensor,
                      a: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    """plstm_loop with the loop in Python (one compiled step per call)."""
    outs = []
    for t in range(zx.size(0)):
        h, c, a = plstm_step(zx[t], w_hh, p, eps, h, c, a)
        outs.append(h)
    return torch.stack(outs), h, c, a


def lstm_loop_python(zx: Tensor, w_hh: Tensor, h: Tensor, c: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """lstm_loop with the loop in Python (one compiled step per call)."""
    outs = []
    for t in range(zx.size(0)):
        h, c = lstm_step(zx[t], w_hh, h, c)
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
