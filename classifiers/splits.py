"""Which labelled examples train, which make choices, and which are held out for the card.

Every split is a pure function of the data (a hash of each text), so a
rerun with more data keeps old held-out items held out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import data
from .data import Example, is_holdout

CORPUS_HOLDOUT_PERCENT = 20
REAL_HOLDOUT_PERCENT = 25


# `TrainingSet.sources` of the default training (what the shipped model was trained on). A model trained so
# records no sources, keeping its config (and so its version) what it was before they were recorded.
ALL_SOURCES: dict[str, Any] = {"corpus": True, "data_files": [], "real_posts": True, "semeval": True,
                               "tweeteval_val": True}


@dataclass(slots=True)
class TrainingSet:
    """train: both kinds of labels; sentiment_dev / moment_dev: calibration and choices only."""

    train: list[Example] = field(default_factory=list)
    sentiment_dev: list[Example] = field(default_factory=list)
    moment_dev: list[Example] = field(default_factory=list)
    real_holdout: list[Example] = field(default_factory=list)
    corpus_holdout: list[Example] = field(default_factory=list)
    # what the examples came from, for the model card: it named the corpus and the benchmarks of a model
    # trained on --data alone
    sources: dict[str, Any] = field(default_factory=dict)
    # (dropped, kept): a --data example whose text was already there with other labels, and the one kept;
    # the CLI names them, as such a line trains nothing
    repeated: list[tuple[Example, Example]] = field(default_factory=list)

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
    read_text: Callable[[str], str] | None = None,
) -> TrainingSet:
    """Gather the project's data (and the shared benchmarks when `benchmarks` is given).

    `data_files` are extra JSONL files with `text` and `moment` and/or
    `sentiment`; with `corpus=False` and no benchmarks they are all there is
    (the tests train this way on a few dozen lines). `read_text` turns each of
    their texts into what the model reads at run time (the CLI's: an export's
    HTML as its words), so a model is not trained on tags and entities that
    `classify` never gives it; classifiers import no listener, so it is handed in.
    """
    out = TrainingSet()
    own: list[Example] = []
    if corpus:
        own.extend(data.moment_corpus())
    corpus_size = len(own)
    out.sources = {"corpus": bool(own), "data_files": [Path(path).name for path in data_files],
                   "real_posts": False, "semeval": False, "tweeteval_val": False}
    for path in data_files:  # a line with no known label trains nothing, and must not shadow a labelled duplicate
        rows = data.read_jsonl(Path(path))
        if read_text is not None:
            rows = ({**row, "text": read_text(row["text"])} if isinstance(row.get("text"), str) else row
                    for row in rows)
        own.extend(e for e in data.examples_from_rows(rows, Path(path).stem) if e.moment or e.sentiment)
    seen: dict[str, Example] = {}
    for index, example in enumerate(own):
        key = example.text.lower()
        if key in seen:
            kept = seen[key]
            if index >= corpus_size and any(getattr(example, kind) not in (None, getattr(kept, kind))
                                            for kind in ("moment", "sentiment")):
                out.repeated.append((example, kept))
            continue
        seen[key] = example
        if is_holdout(example.text, CORPUS_HOLDOUT_PERCENT):
            out.corpus_holdout.append(example)
        else:
            out.train.append(example)
    out.moment_dev.extend(e for e in out.corpus_holdout if e.moment)
    if benchmarks is not None:
        real = data.real_posts(benchmarks)
        for example in real:
            if example.text.lower() in seen:
                continue
            seen[example.text.lower()] = example
            (out.real_holdout if is_holdout(example.text, REAL_HOLDOUT_PERCENT) else out.train).append(example)
        out.moment_dev.extend(e for e in out.real_holdout if e.moment)
        semeval = data.semeval_train(benchmarks)
        out.train.extend(semeval)
        out.sentiment_dev.extend(data.tweeteval("val", benchmarks))
        out.sources.update(real_posts=bool(real), semeval=bool(semeval), tweeteval_val=bool(out.sentiment_dev))
    if not out.sentiment_dev:
        out.sentiment_dev.extend(e for e in out.corpus_holdout if e.sentiment)
    return out
