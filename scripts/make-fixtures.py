#!/usr/bin/env python3
"""Generates extra reference fixtures ("plstm-fixture/1") with PyTorch float64 autograd.

Dev-only (the tests never run Python). Needs torch (written against 1.13).

The pLSTM is computed in the authors' absolute form, exactly as the fixture README states it
(t counted from t0, state (h, c, k)):
    z = x_t W_ih^T + h W_hh^T + bias           -> r | o | g
    r, o = sigmoid, g = tanh,  p = sigmoid(p_param) or fixed
    k = r (t - eps) + (1 - r) k
    f = ((t - k + eps) / (t - k + 1)) ** p
    c = f c + (1 - f) g,   h = o tanh(c)
and also written in the age form a = t - k (a0 = (t0 - 1) - k0). The LSTM is torch.nn.LSTM.
Loss: L = sum(h_seq * G) + sum(c_T * Gc).

Usage:
    python3 scripts/make-fixtures.py OUT_DIR             write the extra cases into OUT_DIR
    python3 scripts/make-fixtures.py --check FIXTURE...  recompute published fixtures from their
                                                         inputs and print the largest difference
"""
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

FORMAT = "plstm-fixture/1"
NOTE = ("All numbers were computed with PyTorch in float64 and are written with Python's shortest "
        "round-trip float repr, i.e. they are the exact float64 values. A float64 implementation "
        "should match to ~1e-10 (absolute and relative); a float32 implementation should be "
        "compared with a tolerance of roughly 1e-4 relative (looser for long sequences).")
SEQ_LIMIT = 1500  # per-step c/k/a/f sequences only when B*T*H <= this


def tensor_json(t):
    if t is None:
        return None
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def from_json(obj):
    if obj is None:
        return None
    return torch.tensor(obj["data"], dtype=torch.float64).reshape(obj["shape"])


def plstm_forward(x, w_ih, w_hh, bias, p, h0, c0, k0, eps, t0):
    """k-form pLSTM over x [B, T, I]; returns per-step lists and the final state."""
    T = x.shape[1]
    H = h0.shape[1]
    h, c, k = h0, c0, k0
    hs, cs, ks, fs = [], [], [], []
    for step in range(T):
        t = float(t0 + step)
        z = x[:, step] @ w_ih.t() + h @ w_hh.t() + bias
        r = torch.sigmoid(z[:, :H])
        o = torch.sigmoid(z[:, H:2 * H])
        g = torch.tanh(z[:, 2 * H:])
        k = r * (t - eps) + (1 - r) * k
        f = ((t - k + eps) / (t - k + 1)) ** p
        c = f * c + (1 - f) * g
        h = o * torch.tanh(c)
        hs.append(h)
        cs.append(c)
        ks.append(k)
        fs.append(f)
    return hs, cs, ks, fs


def describe_state(init_state):
    if init_state is None:
        return "as given"
    if init_state == "zeros":
        return "zeros for h and c, -1 for k"
    return f"h ~ U(-0.5, 0.5), c ~ U(-1, 1), age a0 = (t0 - 1) - k0 ~ U(0, {init_state['max_age']})"


def make_plstm(name, description, B, T, I, H, eps, fixed_p, seed, p_init, init_state,
               r_bias_shift=None, x_scale=1.0, t0=0, given=None):
    """Builds a pLSTM fixture. `given` (a parsed fixture) replaces every random input."""
    gen = torch.Generator().manual_seed(seed)
    bound = 1 / math.sqrt(H)

    def unif(*shape, lo=-bound, hi=bound):
        return lo + (hi - lo) * torch.rand(*shape, generator=gen)

    if given is None:
        w_ih = unif(3 * H, I)
        w_hh = unif(3 * H, H)
        bias = unif(3 * H)
        if r_bias_shift is not None:
            bias[:H] += torch.tensor(r_bias_shift)
        if fixed_p is None:
            lo, hi = p_init
            p_param = unif(H, lo=lo, hi=hi)
        else:
            p_param = None
        x = x_scale * torch.randn(B, T, I, generator=gen)
        if init_state == "zeros":
            h0 = torch.zeros(B, H)
            c0 = torch.zeros(B, H)
            k0 = -torch.ones(B, H)
        else:
            h0 = unif(B, H, lo=-0.5, hi=0.5)
            c0 = unif(B, H, lo=-1.0, hi=1.0)
            a0 = unif(B, H, lo=0.0, hi=init_state["max_age"])
            k0 = (t0 - 1) - a0
        G = torch.randn(B, T, H, generator=gen)
        Gc = torch.randn(B, H, generator=gen)
    else:
        prm = given["params"]
        w_ih, w_hh, bias = from_json(prm["weight_ih"]), from_json(prm["weight_hh"]), from_json(prm["bias"])
        p_param = from_json(prm["p_param"])
        x = from_json(given["input"]["x"])
        st = given["initial_state"]
        h0, c0, k0 = from_json(st["h"]), from_json(st["c"]), from_json(st["k"])
        G, Gc = from_json(given["loss"]["G"]), from_json(given["loss"]["Gc"])

    leaves = [x, w_ih, w_hh, bias, h0, c0, k0] + ([p_param] if p_param is not None else [])
    for v in leaves:
        v.requires_grad_(True)
    p = torch.sigmoid(p_param) if p_param is not None else torch.full((H,), float(fixed_p))
    hs, cs, ks, fs = plstm_forward(x, w_ih, w_hh, bias, p, h0, c0, k0, eps, t0)
    h_seq = torch.stack(hs, 1)
    loss = (h_seq * G).sum() + (cs[-1] * Gc).sum()
    loss.backward()

    k_seq = torch.stack(ks, 1)
    steps = torch.arange(T, dtype=torch.float64).reshape(1, T, 1) + t0
    a_seq = steps - k_seq
    small = B * T * H <= SEQ_LIMIT
    a0 = (t0 - 1) - k0
    return {
        "format": FORMAT, "name": name, "description": description, "cell": "plstm",
        "dtype": "float64", "note": NOTE,
        "config": {"B": B, "T": T, "I": I, "H": H, "eps": eps, "learnP": fixed_p is None,
                   "p": fixed_p, "t0": t0, "seed": seed,
                   "p_init": None if fixed_p is not None or p_init is None else f"U({p_init[0]}, {p_init[1]})",
                   "initial_state": describe_state(init_state)},
        "params": {"weight_ih": tensor_json(w_ih), "weight_hh": tensor_json(w_hh), "bias": tensor_json(bias),
                   "p_param": tensor_json(p_param), "p_effective": tensor_json(p)},
        "initial_state": {"h": tensor_json(h0), "c": tensor_json(c0), "k": tensor_json(k0), "a": tensor_json(a0)},
        "input": {"x": tensor_json(x)},
        "outputs": {"h_seq": tensor_json(h_seq), "h": tensor_json(hs[-1]), "c": tensor_json(cs[-1]),
                    "k": tensor_json(ks[-1]), "a": tensor_json(a_seq[:, -1]),
                    "c_seq": tensor_json(torch.stack(cs, 1)) if small else None,
                    "k_seq": tensor_json(k_seq) if small else None,
                    "a_seq": tensor_json(a_seq) if small else None,
                    "f_seq": tensor_json(torch.stack(fs, 1)) if small else None},
        "loss": {"definition": "L = sum(h_seq * G) + sum(c_T * Gc)", "G": tensor_json(G), "Gc": tensor_json(Gc),
                 "value": float(loss)},
        "grads": {"x": tensor_json(x.grad), "weight_ih": tensor_json(w_ih.grad), "weight_hh": tensor_json(w_hh.grad),
                  "bias": tensor_json(bias.grad),
                  "p_param": tensor_json(p_param.grad) if p_param is not None else None,
                  "h0": tensor_json(h0.grad), "c0": tensor_json(c0.grad), "k0": tensor_json(k0.grad),
                  "a0": tensor_json(-k0.grad)},
    }


def make_lstm(name, description, B, T, I, H, seed, init_state, given=None):
    gen = torch.Generator().manual_seed(seed)
    lstm = torch.nn.LSTM(I, H, batch_first=True)
    bound = 1 / math.sqrt(H)
    with torch.no_grad():
        if given is None:
            for prm in lstm.parameters():
                prm.copy_(-bound + 2 * bound * torch.rand(prm.shape, generator=gen))
            x = torch.randn(B, T, I, generator=gen)
            if init_state == "zeros":
                h0, c0 = torch.zeros(B, H), torch.zeros(B, H)
            else:
                h0 = -0.5 + torch.rand(B, H, generator=gen)
                c0 = -1 + 2 * torch.rand(B, H, generator=gen)
            G = torch.randn(B, T, H, generator=gen)
            Gc = torch.randn(B, H, generator=gen)
        else:
            prm = given["params"]
            lstm.weight_ih_l0.copy_(from_json(prm["weight_ih"]))
            lstm.weight_hh_l0.copy_(from_json(prm["weight_hh"]))
            lstm.bias_ih_l0.copy_(from_json(prm["bias_ih"]))
            lstm.bias_hh_l0.copy_(from_json(prm["bias_hh"]))
            x = from_json(given["input"]["x"])
            h0, c0 = from_json(given["initial_state"]["h"]), from_json(given["initial_state"]["c"])
            G, Gc = from_json(given["loss"]["G"]), from_json(given["loss"]["Gc"])
    for v in (x, h0, c0):
        v.requires_grad_(True)
    h_seq, (hT, cT) = lstm(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    loss = (h_seq * G).sum() + (cT[0] * Gc).sum()
    loss.backward()
    bias = lstm.bias_ih_l0 + lstm.bias_hh_l0
    return {
        "format": FORMAT, "name": name, "description": description, "cell": "lstm", "dtype": "float64",
        "note": NOTE,
        "config": {"B": B, "T": T, "I": I, "H": H, "gate_order": ["i", "f", "g", "o"], "seed": seed,
                   "initial_state": "zeros" if init_state == "zeros" else "h ~ U(-0.5, 0.5), c ~ U(-1, 1)"},
        "params": {"weight_ih": tensor_json(lstm.weight_ih_l0), "weight_hh": tensor_json(lstm.weight_hh_l0),
                   "bias_ih": tensor_json(lstm.bias_ih_l0), "bias_hh": tensor_json(lstm.bias_hh_l0),
                   "bias": tensor_json(bias)},
        "initial_state": {"h": tensor_json(h0), "c": tensor_json(c0)},
        "input": {"x": tensor_json(x)},
        "outputs": {"h_seq": tensor_json(h_seq), "h": tensor_json(hT[0]), "c": tensor_json(cT[0])},
        "loss": {"definition": "L = sum(h_seq * G) + sum(c_T * Gc)", "G": tensor_json(G), "Gc": tensor_json(Gc),
                 "value": float(loss)},
        "grads": {"x": tensor_json(x.grad), "weight_ih": tensor_json(lstm.weight_ih_l0.grad),
                  "weight_hh": tensor_json(lstm.weight_hh_l0.grad), "bias_ih": tensor_json(lstm.bias_ih_l0.grad),
                  "bias_hh": tensor_json(lstm.bias_hh_l0.grad), "bias": tensor_json(lstm.bias_ih_l0.grad),
                  "h0": tensor_json(h0.grad), "c0": tensor_json(c0.grad)},
    }


NONZERO = {"max_age": 20.0}

CASES = [
    lambda: make_plstm(
        "plstm_state_B3_T300_eps1e-2",
        "pLSTM B3 T300, eps = 1e-2, learned p, non-zero initial h, c and k (ages up to 20).",
        B=3, T=300, I=3, H=5, eps=1e-2, fixed_p=None, seed=21, p_init=(-2.0, 2.0), init_state=NONZERO),
    lambda: make_plstm(
        "plstm_fixed_p0.7_state",
        "pLSTM with fixed p = 0.7, non-zero initial h, c and k, eps = 1e-3.",
        B=2, T=25, I=3, H=4, eps=1e-3, fixed_p=0.7, seed=22, p_init=None, init_state=NONZERO),
    lambda: make_plstm(
        "plstm_long_T2000_mixed_resets",
        "pLSTM B1 T2000: unit 0 resets at every step (+20 on its r bias), unit 1 almost never "
        "(-10, so its age grows to ~2000), unit 2 unshifted; learned p.",
        B=1, T=2000, I=2, H=3, eps=1e-3, fixed_p=None, seed=23, p_init=(0.0, 1.0), init_state="zeros",
        r_bias_shift=[20.0, -10.0, 0.0], x_scale=0.5),
    lambda: make_plstm(
        "plstm_eps0.1_wide_p",
        "pLSTM eps = 0.1, p_param ~ U(-3, 3), non-zero initial state, B2 T60.",
        B=2, T=60, I=3, H=5, eps=0.1, fixed_p=None, seed=24, p_init=(-3.0, 3.0), init_state=NONZERO),
    lambda: make_plstm(
        "plstm_single_step",
        "pLSTM edge case B1 T1 I1 H1 with a non-zero initial state.",
        B=1, T=1, I=1, H=1, eps=1e-3, fixed_p=None, seed=25, p_init=(0.0, 1.0), init_state=NONZERO),
    lambda: make_lstm(
        "lstm_state_B3_T30",
        "Vanilla LSTM (torch.nn.LSTM), B3 T30, non-zero initial h and c.",
        B=3, T=30, I=4, H=5, seed=26, init_state="nonzero"),
]


def max_diff(a, b):
    if a is None or b is None:
        return 0.0 if a is None and b is None else float("inf")
    return max((abs(x - y) for x, y in zip(a["data"], b["data"])), default=0.0)


def check(files):
    """Recomputes published fixtures from their inputs: proves this generator matches them."""
    worst_all = 0.0
    for path in files:
        with open(path) as fh:
            ref = json.load(fh)
        cfg = ref["config"]
        if ref["cell"] == "plstm":
            p_eff = ref["params"]["p_effective"]["data"]
            got = make_plstm(ref["name"], "", cfg["B"], cfg["T"], cfg["I"], cfg["H"], cfg["eps"],
                             None if cfg["learnP"] else cfg["p"], 0, None, None, t0=cfg.get("t0", 0), given=ref)
            assert cfg["learnP"] or all(v == cfg["p"] for v in p_eff)
        else:
            got = make_lstm(ref["name"], "", cfg["B"], cfg["T"], cfg["I"], cfg["H"], 0, None, given=ref)
        worst = 0.0
        for section in ("outputs", "grads"):
            for key, val in ref[section].items():
                d = max_diff(got[section][key], val)
                worst = max(worst, d)
                if d > 1e-12:
                    print(f"  {path}: {section}.{key} differs by {d:.3g}")
        d = abs(got["loss"]["value"] - ref["loss"]["value"])
        worst = max(worst, d)
        print(f"{os.path.basename(path)}: largest difference {worst:.3g}")
        worst_all = max(worst_all, worst)
    print(f"all: largest difference {worst_all:.3g}")
    return 0 if worst_all <= 1e-12 else 1


def write_atomic(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    os.replace(tmp, path)


def main(argv):
    if len(argv) >= 2 and argv[0] == "--check":
        return check(argv[1:])
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    for make in CASES:
        doc = make()
        path = os.path.join(out, doc["name"] + ".json")
        write_atomic(path, doc)
        print(f"{path}: {os.path.getsize(path) / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
