"""What the rest of journeywatch needs of a classifier."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from journeywatch.domain import Prediction


class Classifier(Protocol):
    version: str  # stored with every classification, so a new model can reclassify

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per text, in order; batching and sorting are the classifier's business."""
        ...
