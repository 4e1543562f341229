"""The card said "The moments-holdout and real-posts-holdout sets also served to fit the moment temperature"
whatever the model was trained on: `journeywatch card` of a model trained with `--data FILE --no-corpus
--no-benchmarks` measures the corpus's and the real posts' held-out parts, which it never saw at all."""

from __future__ import annotations

from typing import Any

from journeywatch.classifiers.card import render_card
from journeywatch.classifiers.files import ModelConfig
from journeywatch.classifiers.splits import ALL_SOURCES

DATA_ONLY = {"corpus": False, "data_files": ["tiny.jsonl"], "real_posts": False, "semeval": False,
             "tweeteval_val": False}
COUNTS = {"train_moment": 29, "train_sentiment": 29, "sentiment_dev": 7, "moment_dev": 7}


def _report() -> dict[str, Any]:
    return {"n": 2, "accuracy": 0.5, "macro_f1": 0.5, "macro_recall": 0.5,
            "per_label": {"none": {"f1": 0.5, "support": 2}}}


def _calibration_lines(sources: dict[str, Any] | None, notes: dict[str, str] | None = None) -> list[str]:
    config = ModelConfig(tuned_layers=1, training={"options": {"epochs": 2}, "counts": COUNTS,
                                                   **({"sources": sources} if sources else {})})
    figures = {name: {"moment": _report()} for name in ("tweeteval-test", "moments-holdout", "real-posts-holdout")}
    card = render_card("jw-0.1.0+test", config, figures, "CPU", notes)
    return [line for line in card.splitlines() if "served to fit" in line]


def _calibration_line(sources: dict[str, Any] | None, notes: dict[str, str] | None = None) -> str:
    [line] = _calibration_lines(sources, notes)
    return line


def test_the_shipped_models_card_names_both_holdouts() -> None:
    assert _calibration_line(None).startswith(
        "The moments-holdout and real-posts-holdout sets also served to fit the moment temperature")
    assert _calibration_line(ALL_SOURCES).startswith("The moments-holdout and real-posts-holdout sets also served")


def test_card_of_a_data_only_model_does_not_say_the_corpus_calibrated_it() -> None:
    assert _calibration_lines(DATA_ONLY) == []  # `journeywatch card`: moments-holdout is the corpus's


def test_train_card_of_a_data_only_model_names_the_data_holdout_it_calibrated_on() -> None:
    notes = {"moments-holdout": "--data `tiny.jsonl`, hash-held-out 20%"}  # train's card: its --data held-out lines
    assert _calibration_line(DATA_ONLY, notes).startswith(
        "The moments-holdout set also served to fit the moment temperature")


def test_a_model_trained_on_the_corpus_without_benchmarks() -> None:
    sources = {**DATA_ONLY, "corpus": True, "data_files": []}
    assert _calibration_line(sources).startswith("The moments-holdout set also served to fit the moment temperature")
