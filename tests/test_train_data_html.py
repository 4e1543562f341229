"""`train --data FILE`: texts holding HTML were trained on as written (tags and entities), while `classify` and
`evaluate` give the model their words: a model saw at train time what it never sees at run time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.cli import app
from tests.test_classifier import TINY

HTML = {
    "<p>Love my <b>Kindle</b>, best buy this year!</p>": "Love my Kindle, best buy this year!",
    "Fish &amp; chips at the pier were cold <br> never again": "Fish & chips at the pier were cold never again",
    "Price &lt; 5 quid and it broke in a week": "Price < 5 quid and it broke in a week",
    "I <3 this shop, the staff <sigh> are lovely": "I <3 this shop, the staff <sigh> are lovely",
}


def test_train_reads_data_texts_as_classify_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import journeywatch.classifiers.training as training

    seen: list[str] = []

    def stop(dataset, *args: object, **kwargs: object) -> None:  # type: ignore[no-untyped-def]
        seen.extend(e.text for e in [*dataset.train, *dataset.corpus_holdout])
        raise RuntimeError("stopped before training")

    monkeypatch.setattr(training, "train_model", stop)
    data = tmp_path / "html.jsonl"
    rows = [{"text": t, "moment": m, "sentiment": s} for t, m, s in TINY]
    rows += [{"text": text, "moment": "ultimate_moment", "sentiment": "positive"} for text in HTML]
    rows.append({"text": "<p><br></p>", "moment": "none"})  # markup and no words: nothing to train on
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--data", str(data), "--no-corpus", "--no-benchmarks",
                                      "--out", str(tmp_path / "m"), "--no-card"])
    assert "stopped before training" in str(result.exception), result.output
    assert set(HTML.values()) <= set(seen)
    assert not {written for written, words in HTML.items() if written != words} & set(seen)
    assert len(seen) == len(TINY) + len(HTML)
    assert "html.jsonl:41: skipped, `text` is only HTML markup, no words" in result.output
