"""Train a sequence model with the twin, in one process or under DistributedDataParallel.

    python -m powerlaw_lstm.train --config MODEL.json --data DATA.safetensors --out MODEL.safetensors
    python -m powerlaw_lstm.train ... --nproc 2                      # spawns 2 ranks over gloo
    torchrun --nproc_per_node 4 -m powerlaw_lstm.train ...           # ranks from the environment
    python -m powerlaw_lstm.train --resume MODEL.safetensors --data DATA.safetensors --out MODEL.safetensors
    python -m powerlaw_lstm.train --init FORECASTER.safetensors --data WINDOWS.safetensors --out NEW.safetensors

The config is our ModelConfig JSON; the data file holds x and y (see data.py). --batch-size
is the global batch B: each of W ranks takes B / W rows of it. Each rank reads its shard of
the epoch's shuffled order (DistributedSampler: rank r takes rows r, r + W, ...), and
DistributedDataParallel averages the gradients, so W ranks at B / W rows take the same steps
as one process at batch B. Batches are full: the last N mod B rows of an epoch's order are
left out of that epoch.

Rank 0 writes the model file in our format (with the optimizer's state `optim.<state>.<param>`,
metadata `optimizer` and `optimizer_steps`, and the progress under meta.train) atomically,
every --checkpoint-every steps and at the end; --resume continues from such a file on the
same trajectory (the data order is a function of seed and epoch, the dropout masks of seed,
step and rank). The file loads in TypeScript (loadModel), optimizer included, so training
can continue there too.

--init starts from any model file (TypeScript's or the twin's). From a forecaster's file
(Forecaster.toBytes, plstm forecast fit) it trains the network on windows (x [N, lookback, F],
y [N, horizon * Q] or [N, horizon, Q], scaled as that forecaster scales them), with the
forecaster's optimizer, batch size and clip unless given, and writes a forecaster file back
with its settings, scalers and calendar kept (Forecaster.fromBytes reads it). Only windowed
forecasters: a stateful one trains on whole series with the state carried, which stays in
TypeScript.

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
from typing import Any, Dict, Optional, Tuple

import torch
import torch.distributed as dist

from .config import ConfigError
from .data import DataError, read_data
from .files import SavedOptimizer, load_checkpoint, optimizer_from_saved, save_model
from .model import SequenceModel
from .optim import Optimizer, clip_grad_norm, global_norm, resolve_optimizer_spec
from .safetensors import ModelFileError

__all__ = ["main", "TrainError"]

DEFAULT_OPTIMIZER = {"kind": "adam", "lr": 0.001}
DEFAULT_BATCH = 32


class TrainError(ValueError):
    """A training option or run that cannot go on (the message says why and what to do)."""


USER_ERRORS = (TrainError, ConfigError, DataError, ModelFileError, OSError)


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m powerlaw_lstm.train", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--config", help="model config JSON file (our ModelConfig); not with --init or --resume")
    ap.add_argument("--init", help="start from this model or forecaster file (its meta, e.g. a forecaster's settings, is kept)")
    ap.add_argument("--resume", help="continue a checkpoint written by this command (model, optimizer and progress)")
    ap.add_argument("--data", required=True, help="safetensors file with x, y and optionally w (see powerlaw_lstm/data.py)")
    ap.add_argument("--out", required=True, help="model file to write (checkpoints and the final model)")
    ap.add_argument("--overwrite", action="store_true", help="replace --out if it exists (not needed when --resume is --out)")
    ap.add_argument("--epochs", type=int, default=1, help="passes over the data in all, counting resumed ones (default 1)")
    ap.add_argument("--steps", type=int, default=None, help="stop after this many optimizer steps in all (default: no limit)")
    ap.add_argument("--batch-size", type=int, default=None,
                    help=f"global batch B, split evenly over the ranks (default {DEFAULT_BATCH}; a forecaster's own)")
    ap.add_argument("--optimizer", default=None,
                    help='optimizer spec JSON, as in TypeScript (default {"kind": "adam", "lr": 0.001}; a forecaster\'s own)')
    ap.add_argument("--clip", type=float, default=None, help="clip the gradient's global norm to this (default: off; a forecaster's own)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default=None,
                    help="precision (default: float32, or the precision of --init / --resume)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the data order and dropout (default: the config's seed)")
    ap.add_argument("--checkpoint-every", type=int, default=0, help="write --out every N steps too (default 0: at the end only)")
    ap.add_argument("--nproc", type=int, default=1, help="start N ranks on this machine over gloo (default 1)")
    ap.add_argument("--threads", type=int, default=None, help="torch threads per rank (default: CPU cores / ranks)")
    ap.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto",
                    help="process group backend (auto: nccl with CUDA, else gloo)")
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="where to train (auto: cuda when there)")
    ap.add_argument("--loop", choices=["script", "python"], default="script", help="time loop: TorchScript (default) or per-step")
    ap.add_argument("--log-every", type=int, default=10, help="print the loss every N steps on stderr (default 10; 0: never)")
    ap.add_argument("--json", action="store_true", help="print one JSON line of the final metrics on stdout")
    return ap.parse_args(argv)


def check_args(a: argparse.Namespace) -> None:
    """Every option problem that does not need the files, as one TrainError."""
    sources = [n for n in ("config", "init", "resume") if getattr(a, n)]
    if len(sources) != 1:
        raise TrainError("give exactly one of --config (a new model), --init (start from a model file) or --resume (a checkpoint)")
    for name in ("epochs", "nproc"):
        if getattr(a, name) < 1:
            raise TrainError(f"--{name} must be >= 1, got {getattr(a, name)}")
    for name in ("batch_size", "steps", "threads"):
        v = getattr(a, name)
        if v is not None and v < 1:
            raise TrainError(f"--{name.replace('_', '-')} must be >= 1, got {v}")
    if a.checkpoint_every < 0:
        raise TrainError(f"--checkpoint-every must be >= 0, got {a.checkpoint_every}")
    if a.clip is not None and not (math.isfinite(a.clip) and a.clip > 0):
        raise TrainError(f"--clip must be a number > 0, got {a.clip}")
    if os.path.exists(a.out) and not a.overwrite and not (a.resume and os.path.abspath(a.resume) == os.path.abspath(a.out)):
        raise TrainError(f"{a.out} exists; pass --overwrite to replace it (or --resume {a.out} to continue it)")
    if not os.path.isdir(os.path.dirname(os.path.abspath(a.out))):
        raise TrainError(f"cannot write {a.out}: its directory does not exist")
    a.optimizer_spec = None
    if a.optimizer is not None:
        try:
            a.optimizer_spec = resolve_optimizer_spec(json.loads(a.optimizer))
        except ValueError as e:
            raise TrainError(f"--optimizer {a.optimizer}: {e if isinstance(e, ConfigError) else 'not valid JSON'}") from None


def build(a: argparse.Namespace) -> Tuple[SequenceModel, Optional[SavedOptimizer], Dict[str, Any], Dict[str, Any]]:
    """(model on the CPU, saved optimizer to continue or None, progress, settings) from
    --config, --init or --resume. settings: the resolved optimizer spec, batch size and clip."""
    dtype = {"float32": torch.float32, "float64": torch.float64, None: None}[a.dtype]
    progress: Dict[str, Any] = {"epoch": 0, "batch": 0, "step": 0}
    settings = {"optimizer": a.optimizer_spec, "batch_size": a.batch_size, "clip": a.clip}
    saved = None
    if a.config:
        try:
            with open(a.config) as f:
                config = json.load(f)
        except ValueError:
            raise TrainError(f"config file {a.config} is not valid JSON") from None
        model = SequenceModel(config, dtype=dtype or torch.float32, loop=a.loop)
    else:
        model, saved, meta = load_checkpoint(a.init or a.resume, loop=a.loop)
        if dtype is not None and dtype != model.dtype:
            model.to(dtype)
            if saved is not None:
                saved.state = {k: [t.to(dtype) for t in v] for k, v in saved.state.items()}
        fc = model.forecaster
        if fc is not None:
            s = fc.get("settings") or {}
            if s.get("mode", "windowed") != "windowed":
                raise TrainError(f"{a.init or a.resume} is a stateful forecaster: it trains on whole series with the state "
                                 "carried across chunks, which the twin does not do; train it in TypeScript (plstm forecast fit)")
            if settings["optimizer"] is None and isinstance(s.get("optimizer"), dict):
                settings["optimizer"] = resolve_optimizer_spec(s["optimizer"])
            if settings["batch_size"] is None and isinstance(s.get("batchSize"), int):
                settings["batch_size"] = s["batchSize"]
            if settings["clip"] is None and isinstance(s.get("clip"), (int, float)):
                settings["clip"] = float(s["clip"])
        if a.resume:
            if saved is None:
                raise TrainError(f"{a.resume} has no optimizer state to resume; start from it with --init instead")
            prog = meta.get("train")
            if not isinstance(prog, dict) or not all(isinstance(prog.get(k), int) for k in progress):
                raise TrainError(f"{a.resume} was not written by this command (no meta.train progress); start from it with --init")
            if a.seed is not None and prog.get("seed") not in (None, a.seed):
                raise TrainError(f"--seed {a.seed} differs from the checkpoint's {prog['seed']}: the data order would change")
            if a.batch_size is not None and prog.get("batch_size") not in (None, a.batch_size):
                raise TrainError(f"--batch-size {a.batch_size} differs from the checkpoint's {prog['batch_size']}: "
                                 "resume with the same batch")
            if prog.get("batch_size") is not None:
                settings["batch_size"] = prog["batch_size"]
            if prog.get("clip") is not None and settings["clip"] is None:
                settings["clip"] = prog["clip"]
            progress = {k: prog[k] for k in progress}
            if prog.get("seed") is not None:
                progress["seed"] = prog["seed"]
        else:
            saved = None  # --init starts a fresh optimizer
    if settings["optimizer"] is None:
        settings["optimizer"] = resolve_optimizer_spec(DEFAULT_OPTIMIZER)
    if settings["batch_size"] is None:
        settings["batch_size"] = DEFAULT_BATCH
    return model, saved, progress, settings


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def threads_per_rank(a: argparse.Namespace, ranks_here: int) -> int:
    """--threads, or this machine's cores shared out among the ranks that run on it."""
    return a.threads or max(1, (os.cpu_count() or 1) // max(1, ranks_here))


def limit_threads(n: int) -> None:
    """n threads for torch's OpenMP pool and, when torch loaded OpenBLAS, for OpenBLAS too
    (its pthread build starts one spinning thread per core at load time, whatever
    torch.set_num_threads says: ranks sharing a machine then slow each other many times over)."""
    torch.set_num_threads(n)
    try:
        import ctypes
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line}
        for lib in libs:
            fn = getattr(ctypes.CDLL(lib), "openblas_set_num_threads", None)
            if fn is not None:
                fn(ctypes.c_int(n))
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _step_seed(seed: int, step: int, rank: int) -> int:
    """The torch seed of one step's dropout masks on one rank (so a resumed run repeats them)."""
    h = (seed * 0x9E3779B1 + step * 0x85EBCA6B + rank * 0xC2B2AE35) & 0xFFFFFFFFFFFF
    return h ^ (h >> 17)


def train_worker(rank: int, world: int, a: argparse.Namespace, spawned: bool) -> Optional[Dict[str, Any]]:
    """One rank's training loop; returns the final metrics on rank 0."""
    use_cuda = torch.cuda.is_available() and a.device != "cpu" and a.backend != "gloo"
    if a.device == "cuda" and not torch.cuda.is_available():
        raise TrainError("--device cuda, but torch sees no CUDA device")
    backend = "nccl" if (a.backend == "nccl" or (a.backend == "auto" and use_cuda)) else "gloo"
    local_rank = int(os.environ.get("LOCAL_RANK", rank if spawned else 0))
    device = torch.device(f"cuda:{local_rank}") if use_cuda else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    else:
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", world if spawned else 1))
        limit_threads(threads_per_rank(a, local_world))
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
    model, saved, progress, settings = build(a)
    x, y, w = read_data(a.data, model.config)
    N = x.shape[0]
    B = settings["batch_size"]
    clip = settings["clip"]
    if B % world != 0:
        raise TrainError(f"--batch-size {B} must be a multiple of the {world} ranks (each rank takes B / ranks rows)")
    if B > N:
        raise TrainError(f"--batch-size {B} is larger than the {N} sequences in {a.data}")
    seed = a.seed if a.seed is not None else progress.get("seed", model.config["seed"])
    model.to(device)
    params = [p for _, p in model.slots()]
    opt = optimizer_from_saved(params, saved) if saved is not None else Optimizer(params, settings["optimizer"])
    x, y = x.to(device), y.to(device)
    w = None if w is None else w.to(device)
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        # the same initial weights on every rank: rank 0's are broadcast here
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    from torch.utils.data.distributed import DistributedSampler
    sampler = DistributedSampler(range(N), num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=False)
    per_rank = B // world
    batches = N // B  # full batches only, so every step sees B rows whatever the ranks
    step, t0 = progress["step"], time.time()
    last_loss, last_norm = float("nan"), float("nan")

    def save(epoch: int, batch: int) -> None:
        if rank != 0:
            return
        meta = dict(model.meta)
        meta.pop("forecaster", None)  # model_bytes adds model.forecaster
        meta["train"] = {"epoch": epoch, "batch": batch, "step": step, "batch_size": B, "seed": seed,
                         "clip": clip, "by": "powerlaw_lstm.train"}
        save_model(model, a.out, opt, meta)

    if model.forecaster is not None and "live" in model.forecaster:
        # live states of a stateful forecaster belong to the old weights (and build refuses those)
        model.forecaster = {k: v for k, v in model.forecaster.items() if k != "live"}
    done = False
    model.train()
    for epoch in range(progress["epoch"], a.epochs):
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler), dtype=torch.long, device=device)
        first = progress["batch"] if epoch == progress["epoch"] else 0
        for k in range(first, batches):
            rows = order[k * per_rank:(k + 1) * per_rank]
            wk = None if w is None else w[rows]
            torch.manual_seed(_step_seed(seed, step, rank))
            out = net(x[rows])
            loss = model.loss(out, y[rows], wk)
            # DDP averages the ranks' gradients; scale each rank's mean loss so that average is
            # the gradient of the whole batch's loss (equal shards without weights: factor 1;
            # with row weights: this shard's share of sum(w))
            local = float(wk.sum()) if wk is not None else float(per_rank)
            total = torch.tensor([local], dtype=torch.float64, device=device)
            if world > 1:
                dist.all_reduce(total)
            scaled = loss * (local * world / float(total))
            opt.zero_grad()
            scaled.backward()
            norm = clip_grad_norm(params, clip) if clip is not None else global_norm(params)
            lsum = torch.tensor([float(loss) * local], dtype=torch.float64, device=device)
            if world > 1:
                dist.all_reduce(lsum)
            last_loss, last_norm = float(lsum) / float(total), norm
            if not (math.isfinite(last_loss) and math.isfinite(norm)):
                raise TrainError(f"training diverged at step {step + 1}: loss {last_loss}, gradient norm {norm}; "
                                 "lower the learning rate or set --clip")
            opt.step()
            step += 1
            if rank == 0 and a.log_every and step % a.log_every == 0:
                print(f"step {step} epoch {epoch} loss {last_loss:.6f} gradnorm {norm:.4f}", file=sys.stderr, flush=True)
            next_pos = (epoch, k + 1) if k + 1 < batches else (epoch + 1, 0)
            if a.steps is not None and step >= a.steps:
                save(*next_pos)
                done = True
                break
            if a.checkpoint_every and step % a.checkpoint_every == 0:
                save(*next_pos)
        if done:
            break
    else:
        save(a.epochs, 0)
    if rank != 0:
        return None
    return {"steps": step, "loss": last_loss, "gradNorm": last_norm, "ranks": world, "batch": B,
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
            # check the files once here, so that their errors are one line, not one per rank
            model, _, _, settings = build(a)
            x, _, _ = read_data(a.data, model.config)
            if settings["batch_size"] % a.nproc != 0 or settings["batch_size"] > x.shape[0]:
                raise TrainError(f"--batch-size {settings['batch_size']} must be a multiple of --nproc {a.nproc} "
                                 f"and at most the {x.shape[0]} sequences of {a.data}")
            a.port = free_port()
            # spawned ranks import torch afresh: its thread pools size themselves from these
            for var in THREAD_VARS:
                os.environ.setdefault(var, str(threads_per_rank(a, a.nproc)))
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
