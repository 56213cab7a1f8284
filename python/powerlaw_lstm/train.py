"""Train a sequence model with the twin, in one process or under DistributedDataParallel.

    python -m powerlaw_lstm.train --config MODEL.json --data DATA.safetensors --out MODEL.safetensors
    python -m powerlaw_lstm.train ... --nproc 2                      # spawns 2 ranks over gloo
    torchrun --nproc_per_node 4 -m powerlaw_lstm.train ...           # ranks from the environment
    python -m powerlaw_lstm.train --resume MODEL.safetensors --data DATA.safetensors --out MODEL.safetensors

The config is our ModelConfig JSON; the data file holds x and y (data.py). Each rank reads its
shard of every batch (DistributedSampler: rank r of W takes rows r, r+W, ... of the epoch's
shuffled order) and DistributedDataParallel averages the gradients, so W ranks at batch B/W
take the same steps as one process at batch B. Rank 0 writes the model file (our format, with
the optimizer's state, `optim.<state>.<param>`, `optimizer`, `optimizer_steps`, and the
progress under meta.train) atomically, every --checkpoint-every steps and at the end;
--resume continues from such a file. The file loads in TypeScript (loadModel), which can
continue training it with the same optimizer.

Rank discovery: RANK / WORLD_SIZE / LOCAL_RANK / MASTER_ADDR / MASTER_PORT set (torchrun) ->
that process group; else --nproc N > 1 -> N workers started with torch.multiprocessing.spawn
on this machine over gloo (Debian's torch 1.13 torchrun fails on Python 3.11); else one
process. Backend: NCCL when CUDA is there (one GPU per local rank), else gloo.
"""
import argparse
import json
import math
import os
import socket
import sys
import time
from typing import Any, Dict, Optional

import torch
import torch.distributed as dist

from .config import ConfigError, resolve_config
from .data import DataError, read_data
from .files import load_checkpoint, optimizer_from_saved, save_model
from .model import SequenceModel
from .optim import Optimizer, clip_grad_norm, global_norm
from .safetensors import ModelFileError

USER_ERRORS = (ConfigError, DataError, ModelFileError, ValueError, OSError)


class TrainError(ValueError):
    """A training option or run that cannot go on (the message says why and what to do)."""


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m powerlaw_lstm.train", description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", help="model config JSON file (our ModelConfig); not with --init or --resume")
    ap.add_argument("--init", help="start from this model or forecaster file (its meta, e.g. a forecaster's settings, is kept)")
    ap.add_argument("--resume", help="continue a checkpoint written by this command (model, optimizer and progress)")
    ap.add_argument("--data", required=True, help="safetensors file with x and y (see python/powerlaw_lstm/data.py)")
    ap.add_argument("--out", required=True, help="model file to write (checkpoints and the final model)")
    ap.add_argument("--overwrite", action="store_true", help="replace --out if it exists (not needed when --resume is --out)")
    ap.add_argument("--epochs", type=int, default=1, help="passes over the data (default 1)")
    ap.add_argument("--steps", type=int, default=None, help="stop after this many optimizer steps in all (default: no limit)")
    ap.add_argument("--batch-size", type=int, default=32, help="global batch B, split evenly over the ranks (default 32)")
    ap.add_argument("--optimizer", default='{"kind": "adam", "lr": 0.001}',
                    help='optimizer spec JSON, as in TypeScript (default {"kind": "adam", "lr": 0.001})')
    ap.add_argument("--clip", type=float, default=None, help="clip the gradient's global norm to this (default: off)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default=None,
                    help="precision (default: float32, or the precision of --init / --resume)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the data order and dropout (default: the config's seed)")
    ap.add_argument("--checkpoint-every", type=int, default=0, help="write --out every N steps too (default 0: at the end only)")
    ap.add_argument("--nproc", type=int, default=1, help="start N ranks on this machine (gloo; default 1)")
    ap.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto", help="process group backend (auto: nccl with CUDA, else gloo)")
    ap.add_argument("--loop", choices=["script", "python"], default="script", help="time loop: TorchScript (default) or per-step")
    ap.add_argument("--log-every", type=int, default=10, help="print the loss every N steps on stderr (default 10; 0: never)")
    ap.add_argument("--json", action="store_true", help="print one JSON line of the final metrics on stdout")
    return ap.parse_args(argv)


def check_args(a: argparse.Namespace) -> None:
    """Every option problem that does not need the files, as one TrainError."""
    sources = [n for n in ("config", "init", "resume") if getattr(a, n)]
    if len(sources) != 1:
        raise TrainError("give exactly one of --config (a new model), --init (start from a model file) or --resume (a checkpoint)")
    for name in ("epochs", "batch_size", "nproc"):
        if getattr(a, name) < 1:
            raise TrainError(f"--{name.replace('_', '-')} must be >= 1, got {getattr(a, name)}")
    if a.steps is not None and a.steps < 1:
        raise TrainError(f"--steps must be >= 1, got {a.steps}")
    if a.checkpoint_every < 0:
        raise TrainError(f"--checkpoint-every must be >= 0, got {a.checkpoint_every}")
    if a.clip is not None and not (math.isfinite(a.clip) and a.clip > 0):
        raise TrainError(f"--clip must be a number > 0, got {a.clip}")
    if os.path.exists(a.out) and not a.overwrite and not (a.resume and os.path.abspath(a.resume) == os.path.abspath(a.out)):
        raise TrainError(f"{a.out} exists; pass --overwrite to replace it (or --resume {a.out} to continue it)")
    try:
        a.optimizer_spec = json.loads(a.optimizer)
    except ValueError:
        raise TrainError(f"--optimizer is not valid JSON: {a.optimizer}") from None


def build(a: argparse.Namespace):
    """(model, optimizer, progress) from --config, --init or --resume (on the CPU)."""
    dtype = {"float32": torch.float32, "float64": torch.float64, None: None}[a.dtype]
    progress = {"epoch": 0, "batch": 0, "step": 0}
    if a.config:
        try:
            with open(a.config) as f:
                config = json.load(f)
        except ValueError:
            raise TrainError(f"config file {a.config} is not valid JSON") from None
        model = SequenceModel(config, dtype=dtype or torch.float32, loop=a.loop)
        return model, Optimizer([p for _, p in model.slots()], a.optimizer_spec), progress
    model, saved, meta = load_checkpoint(a.init or a.resume, loop=a.loop)
    if dtype is not None and dtype != model.dtype:
        model.to(dtype)
        if saved is not None:
            saved.state = {k: [t.to(dtype) for t in v] for k, v in saved.state.items()}
    params = [p for _, p in model.slots()]
    if a.resume:
        if saved is None:
            raise TrainError(f"{a.resume} has no optimizer state to resume; start from it with --init instead")
        prog = meta.get("train")
        if not isinstance(prog, dict) or not all(isinstance(prog.get(k), int) for k in progress):
            raise TrainError(f"{a.resume} was not written by this command (no meta.train progress); use --init")
        if a.seed is not None and prog.get("seed") not in (None, a.seed):
            raise TrainError(f"--seed {a.seed} differs from the checkpoint's {prog['seed']}: the data order would change")
        if prog.get("batch_size") not in (None, a.batch_size):
            raise TrainError(f"--batch-size {a.batch_size} differs from the checkpoint's {prog['batch_size']}: resume with the same batch")
        progress = {k: prog[k] for k in progress}
        if prog.get("seed") is not None:
            progress["seed"] = prog["seed"]
        return model, optimizer_from_saved(params, saved), progress
    return model, Optimizer(params, a.optimizer_spec), progress


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def train_worker(rank: int, world: int, a: argparse.Namespace, spawned: bool) -> Optional[Dict[str, Any]]:
    """One rank's training loop; returns the final metrics on rank 0."""
    use_cuda = torch.cuda.is_available() and a.backend != "gloo"
    backend = "nccl" if (a.backend == "nccl" or (a.backend == "auto" and use_cuda)) else "gloo"
    local_rank = int(os.environ.get("LOCAL_RANK", rank if spawned else 0))
    device = torch.device(f"cuda:{local_rank}") if backend == "nccl" else torch.device("cpu")
    if world > 1:
        if spawned:
            dist.init_process_group(backend, init_method=f"tcp://127.0.0.1:{a.port}", rank=rank, world_size=world)
        else:
            dist.init_process_group(backend, init_method="env://")
    try:
        return _train(rank, world, a, device)
    finally:
        if world > 1:
            dist.destroy_process_group()


def _train(rank: int, world: int, a: argparse.Namespace, device: torch.device) -> Optional[Dict[str, Any]]:
    model, opt, progress = build(a)
    x, y, w = read_data(a.data, model.config)
    N = x.shape[0]
    B = a.batch_size
    if B % world != 0:
        raise TrainError(f"--batch-size {B} must be a multiple of the {world} ranks (each rank takes B / ranks rows)")
    if B > N:
        raise TrainError(f"--batch-size {B} is larger than the {N} sequences in {a.data}")
    seed = a.seed if a.seed is not None else progress.get("seed", model.config["seed"])
    torch.manual_seed(seed * 1000003 + rank)  # dropout masks: different per rank
    model.to(device)
    x, y = x.to(device), y.to(device)
    w = None if w is None else w.to(device)
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        # rank 0's weights are broadcast to every rank here
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    # DistributedSampler: the epoch's shuffled order, rank r taking rows r, r + W, ...
    from torch.utils.data.distributed import DistributedSampler
    sampler = DistributedSampler(range(N), num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=False)
    per_rank = B // world
    batches = N // B  # full batches only, so every step sees B rows whatever the ranks
    params = [p for _, p in model.slots()]
    step, t0 = progress["step"], time.time()
    last_loss, last_norm = float("nan"), float("nan")

    def save(epoch: int, batch: int) -> None:
        if rank != 0:
            return
        meta = dict(model.meta)
        meta["train"] = {"epoch": epoch, "batch": batch, "step": step, "batch_size": B, "seed": seed}
        save_model(model, a.out, opt, meta)

    done = False
    model.train()
    for epoch in range(progress["epoch"], a.epochs):
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler), dtype=torch.long, device=device)
        first = progress["batch"] if epoch == progress["epoch"] else 0
        for k in range(first, batches):
            rows = order[k * per_rank:(k + 1) * per_rank]
            wk = None if w is None else w[rows]
            out = net(x[rows])
            loss = model.loss(out, y[rows], wk)
            # DDP averages gradients over ranks; scale so the average is the loss of the whole
            # batch B (equal shards: factor 1; row weights: this shard's share of sum(w))
            local = float(wk.sum()) if wk is not None else float(per_rank)
            share = torch.tensor([local], dtype=torch.float64)
            if world > 1 and wk is not None:
                dist.all_reduce(share)  # the global sum of weights
            elif world > 1:
                share.fill_(float(B))
            scaled = loss * (local * world / float(share))
            opt.zero_grad()
            scaled.backward()
            norm = clip_grad_norm(params, a.clip) if a.clip is not None else global_norm(params)
            lsum = torch.tensor([float(loss) * local], dtype=torch.float64)
            if world > 1:
                dist.all_reduce(lsum)
            last_loss, last_norm = float(lsum) / float(share), norm
            if not (math.isfinite(last_loss) and math.isfinite(norm)):
                raise TrainError(f"training diverged at step {step + 1}: loss {last_loss}, gradient norm {norm}; "
                                 "lower the learning rate or set --clip")
            opt.step()
            step += 1
            if rank == 0 and a.log_every and step % a.log_every == 0:
                print(f"step {step} epoch {epoch} loss {last_loss:.6f} gradnorm {norm:.4f}", file=sys.stderr, flush=True)
            next_pos = (epoch, k + 1) if k + 1 < batches else (epoch + 1, 0)
            if a.checkpoint_every and step % a.checkpoint_every == 0:
                save(*next_pos)
            if a.steps is not None and step >= a.steps:
                save(*next_pos)
                done = True
                break
        if done:
            break
    else:
        save(a.epochs, 0)
    if rank != 0:
        return None
    return {"steps": step, "loss": last_loss, "gradNorm": last_norm, "ranks": world,
            "seconds": round(time.time() - t0, 3), "out": a.out}


def _spawned(rank: int, world: int, a: argparse.Namespace) -> None:
    try:
        res = train_worker(rank, world, a, True)
    except USER_ERRORS as e:
        print(f"error (rank {rank}): {e}", file=sys.stderr, flush=True)
        sys.exit(2)
    if res is not None and a.json:
        print(json.dumps(res), flush=True)


def main(argv=None) -> int:
    a = parse_args(argv)
    try:
        check_args(a)
        if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
            res = train_worker(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), a, False)
        elif a.nproc > 1:
            # check the files once here, so their errors are one line, not one per rank
            model, _, _ = build(a)
            read_data(a.data, model.config)
            a.port = free_port()
            import torch.multiprocessing as mp
            try:
                mp.spawn(_spawned, args=(a.nproc, a), nprocs=a.nproc, join=True)
            except mp.ProcessExitedException as e:
                print(f"error: rank {e.error_index} stopped (exit code {e.exit_code}); see its message above", file=sys.stderr)
                return 1
            return 0
        else:
            res = train_worker(0, 1, a, False)
    except USER_ERRORS as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if res is not None and a.json:
        print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
