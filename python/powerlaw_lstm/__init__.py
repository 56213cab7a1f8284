"""powerlaw_lstm: the PyTorch twin of the TypeScript library powerlaw-lstm.

The same pLSTM and LSTM equations, the same sequence models and the same model files, so a
model moves between the two: trained in TypeScript and loaded here, or trained here (one
process, or many under DistributedDataParallel: `python -m powerlaw_lstm.train`) and loaded
in TypeScript. See docs/scaling-out.md.
"""
from .config import ConfigError, resolve_config
from .data import DataError, read_data, write_data
from .files import MODEL_FORMAT, load_checkpoint, load_model, model_bytes, model_from_bytes, save_model
from .model import SequenceModel, sequence_loss
from .optim import Optimizer, clip_grad_norm
from .safetensors import ModelFileError

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "ModelFileError", "DataError", "read_data", "write_data", "MODEL_FORMAT", "SequenceModel", "Optimizer", "clip_grad_norm",
    "load_model", "load_checkpoint", "save_model", "model_bytes", "model_from_bytes", "resolve_config",
    "sequence_loss",
]
