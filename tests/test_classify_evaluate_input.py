"""`classify` and `evaluate` reading a text as the pipeline does: HTML markup, line ends, labels as written.

Run with the shipped model (it loads in seconds): what is checked is which text the model is given and
which lines and labels are read, not the model's figures.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from journeywatch.cli import app
from tests.test_evaluate_labels_h17 import MOMENT_LABELS, _evaluate

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


LINES = [{"id": "a", "text": "Love my Kindle, highly recommend", "moment": "ultimate_moment"},
         {"id": "b", "text": "Which kettle should I get?", "moment": "zero_moment"},
         {"id": "c", "text": "Tried to book a flight for 40 minutes, the site keeps timing out",
          "moment": "first_moment"}]


def test_cr_lf_and_crlf_line_ends_are_read_alike(tmp_path: Path) -> None:
    # An old Mac export ends its lines with a bare CR: the whole file was read as one line, "not valid JSON
    # (Extra data ...)", and the file refused as having no usable line.
    encoded = [json.dumps(line).encode() for line in LINES]
    files = {"cr": b"\r".join(encoded) + b"\r", "lf": b"\n".join(encoded) + b"\n",
             "crlf": b"\r\n".join(encoded) + b"\r\n", "mixed": encoded[0] + b"\r" + encoded[1] + b"\r\n" + encoded[2]}
    for name, data in files.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(data)
        lines, stderr = _classify("--jsonl", str(path))
        assert [(row["id"], row["line"]) for row in lines] == [("a", 1), ("b", 2), ("c", 3)], name
        assert stderr == [], name
        result = runner.invoke(app, ["evaluate", str(path), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["moment"]["n"] == 3, name
    gzipped, utf16 = tmp_path / "cr.jsonl.gz", tmp_path / "cr-utf16.jsonl"  # a Mac export packed or re-encoded
    gzipped.write_bytes(gzip.compress(files["cr"]))
    utf16.write_bytes(files["cr"].decode().encode("utf-16"))
    for path in (gzipped, utf16):
        lines, stderr = _classify("--jsonl", str(path))
        assert [row["id"] for row in lines] == ["a", "b", "c"] and stderr == [], path


def test_a_cr_line_end_splits_no_text_and_blank_cr_lines_are_blank_lines(tmp_path: Path) -> None:
    # Valid JSON writes a CR inside a string escaped ("\r"), so a raw CR is a line end, as in Python's universal
    # newlines; the other breaks str.splitlines() splits on (U+2028, U+2029, U+0085), which JSON may hold raw in
    # a string, end nothing.
    texts = ["first para\rsecond para, highly recommend", "love it\u2028so much\x85really\u2029yes"]
    data = b"".join(json.dumps({"text": text}, ensure_ascii=False).encode() + b"\r\r" for text in texts)
    path = tmp_path / "mac.jsonl"
    path.write_bytes(data)
    lines, stderr = _classify("--jsonl", str(path))
    assert [(row["text"], row["line"]) for row in lines] == [(texts[0], 1), (texts[1], 3)]
    assert stderr == []
    from journeywatch.classifiers.data import read_jsonl  # `train --data` reads its lines alike

    assert [row["text"] for row in read_jsonl(path)] == texts


def test_a_journey_stage_given_as_a_moment_is_named_with_the_moment_it_rolls_up(tmp_path: Path) -> None:
    # A file labelled with the journey map's stages ("share", "purchase") was refused with the list of labels
    # and no word of which one each stage stands for (shared/taxonomy.md, journeywatch.stages).
    path = tmp_path / "stages.jsonl"
    report, stderr = _evaluate(path, [
        '{"text": "10/10 would recommend this dentist", "moment": "share"}',
        '{"text": "Just ordered the new Kindle", "moment": "Purchase"}',
        '{"text": "Which router should I get?", "moment": "engage"}',
        '{"text": "Bought my third one", "moment": "complete"}',
        '{"text": "Six months in and it still works", "moment": "usage", "sentiment": "positive"}',
        '{"text": "Apple shares rose 2% today", "moment": "none"}',
    ])
    assert report["moment"]["n"] == 1 and report["sentiment"]["n"] == 1
    stage = "a journey stage, not a moment:"
    assert stderr == [
        f"{path}:1: skipped, unknown moment 'share' ({stage} did you mean 'ultimate_moment'? {MOMENT_LABELS})",
        f"{path}:2: skipped, unknown moment 'Purchase' ({stage} did you mean 'first_moment'? {MOMENT_LABELS})",
        f"{path}:3: skipped, unknown moment 'engage' ({stage} did you mean 'stimulus' or 'zero_moment'? "
        f"{MOMENT_LABELS})",
        f"{path}:4: skipped, unknown moment 'complete' (a journey stage measured over time from repeat customers, "
        f"not a label of one item; {MOMENT_LABELS})",
        f"{path}:5: unknown moment 'usage' ({stage} did you mean 'second_moment'? {MOMENT_LABELS}); "
        "its sentiment is used",
        f"{path}: 4 of 6 lines skipped, 2 used, 1 of them with one label left out",
    ]


def test_every_stage_of_every_stage_model_names_its_moments() -> None:
    from journeywatch.classifiers.data import stage_hint
    from journeywatch.stages import DERIVED_STAGES, resolve_stage_model

    for name, stages in DERIVED_STAGES.items():
        model = resolve_stage_model(name)
        for stage in stages:
            hint = stage_hint(stage.title())
            assert hint is not None, stage
            assert all(repr(moment) in hint for moment in model.moments_of(stage)), (stage, hint)
    assert stage_hint("ultimate") is None and stage_hint("experience") is None



def test_none_null_and_nan_written_for_a_missing_label_are_no_label(tmp_path: Path) -> None:
    # A pandas or Python export writes a missing label as "None" (str(None)), null, "NaN" or a bare NaN
    # (json.dumps of a float nan): "None" was read as the label none, and scored as such.
    path = tmp_path / "export.jsonl"
    report, stderr = _evaluate(path, [
        '{"text": "Which router should I get?", "moment": "None", "sentiment": "neutral"}',
        '{"text": "Apple shares rose 2% today", "moment": "none", "sentiment": "NaN"}',
        '{"text": "Love it", "moment": "null", "sentiment": "positive"}',
        '{"text": "Hate it", "moment": NaN, "sentiment": "negative"}',
        '{"text": "Meh", "moment": "None", "sentiment": "None"}',
        '{"text": "Just ordered one", "moment": "NONE"}',  # not how software writes a missing value: the label
    ])
    assert report["moment"]["n"] == 2 and report["moment"]["per_label"]["none"]["support"] == 2
    assert report["sentiment"]["n"] == 3
    assert stderr == [
        f"{path}:5: skipped, no `moment` or `sentiment` label (`moment` 'None' and `sentiment` 'None' are how "
        "Python, JSON or pandas write a missing value)",
        f"{path}: 1 of 6 lines skipped, 5 used",
        f"{path}: 'None', 'NaN', 'null', NaN as a label on 5 lines (the first line 1) read as no label, not as the "
        "moment none: that is how Python, JSON or pandas write a missing value (write the label none in lower case)",
    ]
    from journeywatch.classifiers.data import examples_from_rows, read_jsonl  # train --data reads them alike

    assert [e.moment for e in examples_from_rows(read_jsonl(path), "t")] == [None, "none", None, None, None, "none"]
    from journeywatch.classifiers.data import is_missing_value

    assert all(map(is_missing_value, ("nan", "NULL", "<NA>", " None ")))
    assert not any(map(is_missing_value, ("none", "NONE", "", None)))


def test_classify_given_nothing_to_read_is_a_usage_error_as_evaluate_without_its_file_is(tmp_path: Path) -> None:
    # README: errors exit 1, a missing or unknown option 2. `evaluate` with no FILE exited 2, while `classify`
    # with neither TEXT nor --jsonl (what it cannot do without) exited 1, as if the input had been bad.
    import subprocess
    import sys

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "journeywatch", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300)

    result = run("classify")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("Error: nothing to classify: give TEXT arguments or --jsonl FILE "
                             "(see `journeywatch classify --help`)\n")
    assert run("evaluate").returncode == 2
    blank = run("classify", " ")  # given, but nothing in it to read: bad input, exit 1
    assert blank.returncode == 1 and "TEXT argument 1: skipped, the text is empty" in blank.stderr
