"""`classify` and `evaluate` reading a text as the pipeline does: HTML markup, line ends, labels as written.

Run with the shipped model (it loads in seconds): what is checked is which text the model is given and
which lines and labels are read, not the model's figures.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from journeywatch.cli import app

runner = CliRunner()
RESULT_KEYS = ("moment", "moment_confidence", "sentiment", "sentiment_confidence", "needs_review")


def _classify(*args: str) -> tuple[list[dict], list[str]]:
    """`classify ARGS`: its JSON results and its stderr lines."""
    result = runner.invoke(app, ["classify", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr.splitlines()


def _labels(row: dict) -> tuple:
    return tuple(row[key] for key in RESULT_KEYS)


def test_classify_reads_html_markup_as_its_text_as_the_files_listener_does(tmp_path: Path) -> None:
    # An export from another tool gives the body as HTML: the model was given "<p>Love my <b>Kindle</b>!</p>"
    # and answered none, where the words themselves are ultimate_moment (as the pipeline would store it).
    markup, plain = "<p>Love my <b>Kindle</b>!</p>", "Love my Kindle!"
    results, _ = _classify(markup, plain)
    assert _labels(results[0]) == _labels(results[1])
    assert results[0]["text"] == markup  # what was given is echoed, to join results back
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"id": 1, "text": markup}) + "\n" + json.dumps({"id": 2, "text": plain}) + "\n",
                    encoding="utf-8")
    lines, _ = _classify("--jsonl", str(path))
    assert _labels(lines[0]) == _labels(lines[1]) == _labels(results[1])
    assert lines[0]["text"] == markup


def test_plain_text_with_a_stray_angle_bracket_is_classified_as_it_is() -> None:
    # "<" in what someone typed is a character, not a tag: the text the model reads is the text given.
    from journeywatch.classifiers import load_classifier
    from journeywatch.cli.model import _text_read

    for text in ("price < 5 quid, love it", "I <3 my Kindle <sigh>", "a<b and b>c, so it is better"):
        assert _text_read(text) == text
    classifier = load_classifier()
    expected = classifier.predict(["price < 5 quid, love it"])[0]
    results, _ = _classify("price < 5 quid, love it")
    assert (results[0]["moment"], results[0]["moment_confidence"]) == (
        expected.moment, round(expected.moment_confidence, 4))


def test_a_text_that_is_only_markup_is_skipped_as_having_no_words(tmp_path: Path) -> None:
    # "<p><br></p>" has nothing to read once its markup is: labelled, it got the heads' answer for nothing.
    results, stderr = _classify("<p><br></p>", "Love my Kindle!")
    assert [row["text"] for row in results] == ["Love my Kindle!"]
    assert stderr == ["TEXT argument 1: skipped, the text is only HTML markup, no words"]
    path = tmp_path / "export.jsonl"
    path.write_text('{"text": "<img src=\\"a.png\\">"}\n{"text": "Love it"}\n', encoding="utf-8")
    lines, stderr = _classify("--jsonl", str(path))
    assert [row["line"] for row in lines] == [2]
    assert stderr[0] == f"{path}:1: skipped, `text` is only HTML markup, no words"


def test_evaluate_scores_an_html_text_as_its_words(tmp_path: Path) -> None:
    plain = ["Love my Kindle!", "Which kettle should I get? Any recommendations?",
             "Unboxed my new Kindle today, the screen looks amazing"]
    as_html = ["<p>Love my <b>Kindle</b>!</p>",
               "<div>Which kettle should I get?<br>Any recommendations?</div>",
               "<p>Unboxed my new <a href=\"https://example.com\">Kindle</a> today, the screen looks amazing</p>"]
    moments = ["ultimate_moment", "zero_moment", "first_moment"]
    reports = []
    for name, texts in (("plain", plain), ("html", as_html)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"text": t, "moment": m}) + "\n" for t, m in zip(texts, moments)),
                        encoding="utf-8")
        result = runner.invoke(app, ["evaluate", str(path), "--json"])
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.stdout)["moment"])
    assert reports[1] == reports[0]
