"""Classifier settings: which model files, how big the batches, when to ask a human."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class ClassifierSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_dir: Path | None = Field(default=None, description="trained heads; default: the shipped model")
    batch_size: int = Field(default=64, ge=1, le=4096, description="texts per encoder batch")
    review_below: float = Field(default=0.5, ge=0, le=1,
                                description="flag items whose moment confidence is below this")
