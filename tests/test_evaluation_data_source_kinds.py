"""`evaluation-data` writes each line's source kind as `classify` and `evaluate` read one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from typer.testing import CliRunner

from journeywatch.cli import app
from journeywatch.classifiers.data import Example
from journeywatch.classifiers.evaluation import write_eval_file
from journeywatch.settings.sources import SourceKindLabel

runner = CliRunner()


def test_the_corpus_kinds_are_written_as_the_source_kinds_they_are(tmp_path: Path) -> None:
    # The corpus files its items by where they were written ('tweet', 'reddit_comment', 'youtube_comment'), and
    # evaluation-data wrote that as `source_kind`: `evaluate` of its own moments-holdout.jsonl warned four times
    # "source_kind 'tweet' on 214 lines ... is not a source kind", to a user following --help's example.
    examples = [Example(text, "none", "neutral", "corpus", source_kind=kind) for text, kind in (
        ("a", "tweet"), ("b", "reddit_comment"), ("c", "reddit_post"), ("d", "youtube_comment"),
        ("e", "review"), ("f", "forum"), ("g", None), ("h", "carrier pigeon"))]
    path = tmp_path / "set.jsonl"
    write_eval_file(examples, path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [row.get("source_kind") for row in rows] == [
        "social", "reddit", "reddit", "social", "review", "forum", None, None]
    assert [row["text"] for row in rows] == list("abcdefgh")


def test_evaluation_data_writes_no_kind_evaluate_would_name(tmp_path: Path) -> None:
    written = runner.invoke(app, ["evaluation-data", str(tmp_path / "eval"), "--benchmarks", str(tmp_path / "none")])
    assert written.exit_code == 0, written.output
    holdout = tmp_path / "eval" / "moments-holdout.jsonl"
    kinds = {json.loads(line).get("source_kind") for line in holdout.read_text(encoding="utf-8").splitlines()}
    assert "review" in kinds  # the review-site rule still applies to the corpus's reviews
    assert kinds - {None} <= set(get_args(SourceKindLabel))


def test_the_writers_source_kinds_are_the_settings() -> None:
    from journeywatch.classifiers.evaluation import SOURCE_KINDS

    assert SOURCE_KINDS == get_args(SourceKindLabel)
