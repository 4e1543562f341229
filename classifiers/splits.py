"""Which labelled examples train, which make choices, and which are held out for the card.

Every split is a pure function of the data (a hash of each text), so a
rerun with more data keeps old held-out items held out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import data
from .data import Example, is_holdout

CORPUS_HOLDOUT_PERCENT = 20
REAL_HOLDOUT_PERCENT = 25


@dataclass(slots=True)
class TrainingSet:
    """train: both kinds of labels; sentiment_dev / moment_dev: calibration and choices only."""

    train: list[Example] = field(default_factory=list)
    sentiment_dev: list[Example] = field(default_factory=list)
    moment_dev: list[Example] = field(default_factory=list)
    real_holdout: list[Example] = field(default_factory=list)
    corpus_holdout: list[Example] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "train_moment": sum(e.moment is not None for e in self.train),
            "train_sentiment": sum(e.sentiment is not None and e.sentiment_trainable for e in self.train),
            "sentiment_dev": len(self.sentiment_dev),
            "moment_dev": len(self.moment_dev),
        }


def build_training_set(
    data_files: Sequence[Path] = (),
    *,
    benchmarks: Path | None = data.DEFAULT_BENCHMARKS,
    corpus: bool = True,
) -> TrainingSet:
    """Gather the project's data (and the shared benchmarks when `benchmarks` is given).

    `data_files` are extra JSONL files with `text` and `moment` and/or
    `sentiment`; with `corpus=False` and no benchmarks they are all there is
    (the tests train this way on a few dozen lines).
    """
    out = TrainingSet()
    own: list[Example] = []
    if corpus:
        own.extend(data.moment_corpus())
    for path in data_files:  # a line with no known label trains nothing, and must not shadow a labelled duplicate
        own.extend(e for e in data.examples_from_rows(data.read_jsonl(Path(path)), Path(path).stem)
                   if e.moment or e.sentiment)
    seen: set[str] = set()
    for example in own:
        key = example.text.lower()
        if key in seen:
            continue
        seen.add(key)
        if is_holdout(example.text, CORPUS_HOLDOUT_PERCENT):
            out.corpus_holdout.append(example)
        else:
            out.train.append(example)
    out.moment_dev.extend(e for e in out.corpus_holdout if e.moment)
    if benchmarks is not None:
        for example in data.real_posts(benchmarks):
            if example.text.lower() in seen:
                continue
            seen.add(example.text.lower())
            (out.real_holdout if is_holdout(example.text, REAL_HOLDOUT_PERCENT) else out.train).append(example)
        out.moment_dev.extend(e for e in out.real_holdout if e.moment)
        out.train.extend(data.semeval_train(benchmarks))
        out.sentiment_dev.extend(data.tweeteval("val", benchmarks))
    if not out.sentiment_dev:
        out.sentiment_dev.extend(e for e in out.corpus_holdout if e.sentiment)
    return out
