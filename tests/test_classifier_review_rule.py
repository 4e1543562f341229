"""The labelling guide's review-site rule: an entry on a review site is a review unless it only asks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import journeywatch.classifiers as classifiers
from journeywatch.classifiers.rules import for_source
from journeywatch.cli import app
from journeywatch.domain import Mention, Prediction
from journeywatch.flows.steps import classify_pending
from journeywatch.storage import open_database, store_batch
from journeywatch.storage.tables import classifications, mentions

runner = CliRunner()


def _prediction(**moment_probs: float) -> Prediction:
    moment = max(moment_probs, key=lambda m: moment_probs[m])
    return Prediction(moment, moment_probs[moment], "negative", 0.9, moment_probs, {"negative": 0.9})


class UseReader:
    """Reads every text as use of the product, with a review and a question as its next guesses."""

    version = "fake-use"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        question = {"second_moment": 0.6, "zero_moment": 0.3, "ultimate_moment": 0.1}
        review = {"second_moment": 0.6, "zero_moment": 0.1, "ultimate_moment": 0.3}
        return [_prediction(**(question if text.endswith("?") else review)) for text in texts]


def test_a_review_site_entry_is_a_review_or_a_question_by_the_models_own_odds() -> None:
    used = _prediction(second_moment=0.6, ultimate_moment=0.3, zero_moment=0.1)
    review = for_source(used, "Review")
    assert (review.moment, review.moment_confidence) == ("ultimate_moment", pytest.approx(0.75))
    assert review.moment_probs["second_moment"] == 0 and sum(review.moment_probs.values()) == pytest.approx(1)
    asked = for_source(_prediction(second_moment=0.6, ultimate_moment=0.1, zero_moment=0.3), "review")
    assert asked.moment == "zero_moment"
    assert for_source(used, "social") is used and for_source(used, None) is used


def test_classify_reads_each_lines_source_kind_and_the_flag_for_the_rest(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: UseReader())
    path = tmp_path / "posts.jsonl"
    rows = [{"id": 1, "text": "Battery died in a week", "source_kind": "review"},
            {"id": 2, "text": "Battery died in a week", "source_kind": "social"},
            {"id": 3, "text": "Battery died in a week"},
            {"id": 4, "text": "Does it fit a queen bed?", "source_kind": "review"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    plain = runner.invoke(app, ["classify", "--jsonl", str(path)])
    flagged = runner.invoke(app, ["classify", "--jsonl", str(path), "--source-kind", "review"])
    assert plain.exit_code == 0 and flagged.exit_code == 0, plain.output + flagged.output

    def moments(output: str) -> list[tuple[str | None, str]]:
        lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
        return [(line.get("source_kind"), line["moment"]) for line in lines]

    assert moments(plain.output) == [("review", "ultimate_moment"), ("social", "second_moment"),
                                     (None, "second_moment"), ("review", "zero_moment")]
    assert moments(flagged.output)[2] == ("review", "ultimate_moment")  # the flag fills in only where a line is silent
    assert moments(flagged.output)[1] == ("social", "second_moment")


def test_evaluate_scores_review_lines_as_the_pipeline_labels_them(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: UseReader())
    path = tmp_path / "eval.jsonl"
    rows = [{"text": "Battery died in a week", "moment": "ultimate_moment", "source_kind": "review"},
            {"text": "Does it fit a queen bed?", "moment": "zero_moment", "source_kind": "review"},
            {"text": "Battery died in a week", "moment": "second_moment"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.splitlines()[-1])
    assert report["moment"]["n"] == 3 and report["moment"]["accuracy"] == 1.0


def test_the_pipeline_reads_a_review_sources_items_by_the_rule(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'jw.db'}")
    now = datetime.now(timezone.utc)
    store_batch(engine, [Mention("shop-reviews", "r1", "Battery died in a week", now, source_kind="review"),
                         Mention("shop-reviews", "r2", "Does it fit a queen bed?", now, source_kind="review"),
                         Mention("social", "s1", "Battery died in a week", now, source_kind="social")])
    assert classify_pending(engine, UseReader(), batch_size=2) == 3
    query = (select(mentions.c.external_id, classifications.c.moment, classifications.c.moment_confidence)
             .join(classifications, classifications.c.mention_id == mentions.c.id))
    with engine.connect() as connection:
        stored = {row.external_id: (row.moment, round(row.moment_confidence, 2)) for row in connection.execute(query)}
    assert stored == {"r1": ("ultimate_moment", 0.75), "r2": ("zero_moment", 0.75), "s1": ("second_moment", 0.6)}
