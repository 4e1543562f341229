"""`journeywatch train --data FILE` where a text comes again with other labels: the later labels were dropped unsaid.

Training keeps one example per text (the first: the corpus's, then the --data files' in order), so a
line relabelling a text already there (a second annotator's label, a correction of a corpus label)
trained nothing, while stderr named no line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.cli import app
from tests.test_classifier import TINY

pytestmark = pytest.mark.slow


def test_a_repeated_text_with_other_labels_is_named_on_stderr(tmp_path: Path) -> None:
    rows = [{"text": t, "moment": m, "sentiment": s} for t, m, s in TINY]
    rows.append({"text": "PSA: do NOT fly with them, they lost my bag and will not pay", "moment": "second_moment",
                 "sentiment": "negative"})  # TINY has it as ultimate_moment, in another letter case
    rows.append({"text": "Five stars, best pizza in town, you have to try it", "moment": "ultimate_moment",
                 "sentiment": "positive"})  # the same labels again: nothing lost, nothing said
    data = tmp_path / "labels.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--data", str(data), "--no-corpus", "--no-benchmarks", "--epochs", "1",
                                      "--tuned-layers", "1", "--no-card", "--out", str(tmp_path / "m"),
                                      "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "other labels" in line]
    assert len(said) == 1, result.stderr
    assert "'PSA: do NOT fly with them" in said[0]
    assert "second_moment" in said[0] and "ultimate_moment" in said[0]
    assert "pizza" not in result.stderr
