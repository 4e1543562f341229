"""Classifier: one MiniLM encoder pass per text feeds a moment head and a sentiment head.

Others import from here: `load_classifier` for predictions, the `Classifier`
protocol for typing, and the training and evaluation entry points the CLI
wires. Nothing here imports Prefect or storage.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .base import Classifier
from .files import DEFAULT_MODEL_DIR, model_version
from .predictor import BACKENDS, Backend, JourneyClassifier

_LOADED: dict[tuple[Path, int, float, str], JourneyClassifier] = {}
_LOCK = threading.Lock()


def load_classifier(model_dir: Path | None = None, *, batch_size: int = 64, review_below: float = 0.5,
                    backend: Backend = "auto") -> JourneyClassifier:
    """The classifier for `model_dir` (default: the shipped model), loaded once per process.

    Loading reads ~100 MB of encoder weights, so repeated calls (every
    monitor run, every test) share one instance per argument set.
    """
    folder = Path(model_dir or DEFAULT_MODEL_DIR).resolve()
    key = (folder, batch_size, review_below, backend)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = JourneyClassifier(folder, batch_size=batch_size, review_below=review_below,
                                             backend=backend)
        return _LOADED[key]


def forget_classifiers() -> None:
    """Drop loaded classifiers (after retraining into the same folder)."""
    with _LOCK:
        _LOADED.clear()


__all__ = ["BACKENDS", "DEFAULT_MODEL_DIR", "Classifier", "JourneyClassifier", "forget_classifiers", "load_classifier",
           "model_version"]
