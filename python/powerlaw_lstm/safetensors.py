"""The safetensors format, read and written by hand (no `safetensors` package needed).

Layout: 8 bytes little-endian u64 N, then N bytes of JSON header
  {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
   "__metadata__": {"<key>": "<string>"}}
then the raw little-endian tensor data; offsets are relative to the end of the header.

The reader is as strict as the TypeScript one (src/model/safetensors.ts): header length vs
file size, a JSON object, known dtypes, shapes vs byte lengths, offsets in bounds, the data
covered exactly. Anything wrong raises ModelFileError naming it. The writer pads the header
with spaces so the data starts 8-byte aligned, as the TypeScript writer and the reference
implementation do.
"""
import json
import os
import struct
import tempfile
from typing import Dict, Mapping, Optional, Tuple

import torch

__all__ = ["ModelFileError", "read_bytes", "read_file", "write_bytes", "write_file", "write_file_atomic"]


class ModelFileError(ValueError):
    """A model or data file that is truncated, corrupt, foreign or does not fit its config."""


# Bytes per element of every dtype the format defines.
DTYPE_BYTES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
    "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}

# The dtypes decoded into tensors (little-endian on every platform torch runs on here).
_TORCH_OF = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
_CODE_OF = {v: k for k, v in _TORCH_OF.items()}

# A header longer than this is not a model file (the Rust library's limit is 100 MB).
MAX_HEADER = 100_000_000


def read_bytes(data: bytes, what: str = "model file") -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """Parses a safetensors buffer into ({name: tensor}, metadata). Raises ModelFileError."""
    def bad(why: str):
        raise ModelFileError(f"{what} is not a valid safetensors file: {why}")

    if len(data) < 8:
        bad(f"only {len(data)} bytes (truncated or empty)")
    (n,) = struct.unpack("<Q", data[:8])
    if n < 2 or n > MAX_HEADER:
        bad(f"header length {n} is implausible (foreign file?)")
    if 8 + n > len(data):
        bad(f"header says {n} bytes but the file has only {len(data) - 8} after the length (truncated)")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        bad("the header is not valid UTF-8 JSON (foreign or corrupt file)")
    if not isinstance(header, dict):
        bad("the header is not a JSON object")
    data_len = len(data) - 8 - n
    base = 8 + n
    metadata: Dict[str, str] = {}
    tensors: Dict[str, torch.Tensor] = {}
    spans = []
    for name, entry in header.items():
        if name == "__metadata__":
            if not isinstance(entry, dict):
                bad("__metadata__ is not an object")
            for k, v in entry.items():
                if not isinstance(v, str):
                    bad(f"__metadata__.{k} is not a string")
                metadata[k] = v
            continue
        if not isinstance(entry, dict):
            bad(f'entry "{name}" is not an object')
        dtype = entry.get("dtype")
        if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
            bad(f'tensor "{name}" has unknown dtype {json.dumps(dtype)}')
        shape = entry.get("shape")
        if not isinstance(shape, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
            bad(f'tensor "{name}" has an invalid shape')
        offs = entry.get("data_offsets")
        if (not isinstance(offs, list) or len(offs) != 2
                or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in offs)):
            bad(f'tensor "{name}" has invalid data_offsets')
        begin, end = offs
        if begin > end or end > data_len:
            bad(f'tensor "{name}" data [{begin}, {end}) lies outside the {data_len} data bytes (truncated)')
        count = 1
        for s in shape:
            count *= s
        size = DTYPE_BYTES[dtype]
        if count * size != end - begin:
            bad(f'tensor "{name}": shape {shape} of {dtype} needs {count * size} bytes, has {end - begin}')
        spans.append((begin, end, name))
        if dtype not in _TORCH_OF:
            raise ModelFileError(f'{what}: tensor "{name}" has dtype {dtype}, which this reader does not decode')
        raw = bytearray(data[base + begin:base + end])  # a private copy: the tensor owns its memory
        t = torch.frombuffer(raw, dtype=_TORCH_OF[dtype]) if count > 0 else torch.empty(0, dtype=_TORCH_OF[dtype])
        tensors[name] = t.reshape(shape)
    spans.sort()
    at = 0
    for begin, end, name in spans:
        if begin != at:
            bad(f'tensor "{name}" starts at byte {begin}, expected {at} (holes or overlaps)')
        at = end
    if at != data_len:
        bad(f"{data_len - at} bytes after the last tensor (corrupt or foreign file)")
    return tensors, metadata


def read_file(path: str) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """Reads a safetensors file: ({name: tensor}, metadata). Raises ModelFileError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ModelFileError(f"cannot read {path}: {e.strerror or e}") from None
    return read_bytes(data, f"file {path}")


def write_bytes(tensors: Mapping[str, torch.Tensor], metadata: Optional[Mapping[str, str]] = None) -> bytes:
    """Serialises tensors (in the given order) and string metadata into one buffer."""
    header: Dict[str, object] = {}
    if metadata is not None:
        for k, v in metadata.items():
            if not isinstance(v, str):
                raise TypeError(f"metadata {k} must be a string, got {type(v).__name__}")
        header["__metadata__"] = dict(metadata)
    chunks = []
    offset = 0
    for name, t in tensors.items():
        if name == "__metadata__":
            raise ValueError("__metadata__ is not a tensor name")
        t = t.detach().to("cpu").contiguous()
        if t.dtype not in _CODE_OF:
            raise TypeError(f"tensor {name}: dtype {t.dtype} is not written")
        raw = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": _CODE_OF[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    pad = (8 - (8 + len(text)) % 8) % 8
    text += b" " * pad
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def write_file(path: str, tensors: Mapping[str, torch.Tensor], metadata: Optional[Mapping[str, str]] = None) -> None:
    """Writes a safetensors file atomically (see write_file_atomic)."""
    write_file_atomic(path, write_bytes(tensors, metadata))


def write_file_atomic(path: str, data: bytes) -> None:
    """Writes bytes to a temporary file in the same directory, then renames it over `path`,
    so a crash never leaves a half-written file."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ModelFileError(f"cannot write {path}: its directory does not exist")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a model file is as readable as any other
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
