"""Scoring a classifier on labelled texts, and the labelled sets the model card reports.

`evaluate_examples` is what `journeywatch evaluate` runs; `evaluation_sets`
names the benchmark files (read by path from the shared folder, never copied
into the project) and the project's own held-out splits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from journeywatch.domain import MOMENTS, SENTIMENTS

from . import data
from .base import Classifier
from .data import Example
from .metrics import label_report
from .rules import for_source
from .splits import TrainingSet, build_training_set


def evaluate_examples(classifier: Classifier, examples: Sequence[Example],
                      progress: Callable[[int], None] | None = None, chunk: int = 1024) -> dict[str, dict[str, Any]]:
    """Reports for each label kind present in `examples` (keys `moment`, `sentiment`).

    Texts are classified `chunk` at a time, `progress(n)` called after each with how many were done.
    An example's source kind, where given, is read as the pipeline reads a stored item's (`rules.for_source`).
    """
    # Only the two labels of each prediction are kept: its probabilities (two dicts a text) took
    # some 2 KB a line, 100 MB over a 50,000-line file, for figures that never read them.
    predicted: list[tuple[str, str]] = []  # (moment, sentiment)
    for start in range(0, len(examples), chunk):
        batch = examples[start:start + chunk]
        predictions = classifier.predict([e.text for e in batch])
        predicted.extend((p.moment, p.sentiment) for p in map(for_source, predictions, (e.source_kind for e in batch)))
        if progress is not None:
            progress(len(batch))
    out: dict[str, dict[str, Any]] = {}
    for index, (kind, labels) in enumerate((("moment", MOMENTS), ("sentiment", SENTIMENTS))):
        pairs = [(getattr(e, kind), p[index]) for e, p in zip(examples, predicted) if getattr(e, kind)]
        if pairs:
            out[kind] = label_report([t for t, _ in pairs], [p for _, p in pairs], labels)
    return out


EVALUATION_SETS = ("tweeteval-test", "airline", "moments-holdout", "real-posts-holdout")


def evaluation_sets(benchmarks: Path | None = data.DEFAULT_BENCHMARKS,
                    dataset: TrainingSet | None = None) -> dict[str, list[Example]]:
    """The sets the model card reports, each only when its data is present.

    - tweeteval-test: sentiment, TweetEval test (reporting only)
    - airline: sentiment, US airline tweets (reporting only)
    - moments-holdout: both labels, the hash-held-out part of the own corpus
    - real-posts-holdout: labelled real posts held out from training
    """
    if dataset is None:
        dataset = build_training_set(benchmarks=benchmarks)
    sets: dict[str, list[Example]] = {}
    if benchmarks is not None:
        sets["tweeteval-test"] = data.tweeteval("test", benchmarks)
        sets["airline"] = data.airline_tweets(benchmarks)
    sets.update({
        "moments-holdout": dataset.corpus_holdout,
        "real-posts-holdout": dataset.real_holdout,
    })
    return {name: examples for name, examples in sets.items() if examples}


# The kinds a source has (journeywatch.settings.sources.SourceKindLabel), which `evaluate` reads a line's
# `source_kind` as, and the corpus's own finer kinds as those sources would file them.
SOURCE_KINDS = ("reddit", "review", "forum", "news", "social", "file")
CORPUS_KINDS = {"tweet": "social", "youtube_comment": "social", "reddit_post": "reddit", "reddit_comment": "reddit"}


def write_eval_file(examples: Sequence[Example], path: Path) -> None:
    """Write examples as the JSONL `journeywatch evaluate` reads.

    A corpus kind is written as the source kind it is (`tweet` as `social`); one that is none is left out,
    as `evaluate` would read it as none and say so on every run.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for e in examples:
            kind = CORPUS_KINDS.get(e.source_kind or "", e.source_kind)
            row = {"text": e.text, **({"moment": e.moment} if e.moment else {}),
                   **({"sentiment": e.sentiment} if e.sentiment else {}),
                   **({"source_kind": kind} if kind in SOURCE_KINDS else {})}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
