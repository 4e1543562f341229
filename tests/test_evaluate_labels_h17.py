"""`evaluate` and `classify` reading a user's own file: labels, keys, source kinds and bytes as written.

Run with the shipped model (it loads in seconds): what is checked is which lines are read and what
stderr says of the others, not the model's figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from journeywatch.cli import app

runner = CliRunner()
MOMENT_LABELS = "moment labels are stimulus, zero_moment, first_moment, second_moment, ultimate_moment, none"
SENTIMENT_LABELS = "sentiment labels are negative, neutral, positive"


def _evaluate(path: Path, lines: list[str]) -> tuple[dict, list[str]]:
    """`evaluate --json` of a file of `lines`: its report and its stderr lines."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr.splitlines()


def test_a_label_given_twice_in_two_spellings_of_one_label_is_read(tmp_path: Path) -> None:
    # A merge of two exports (one writing 'Ultimate Moment', the other 'ultimate_moment') gave each line
    # its label twice; the two were compared as written, so the line was skipped as "given more than once,
    # with different values" although evaluate reads both as ultimate_moment.
    report, stderr = _evaluate(tmp_path / "merged.jsonl", [
        '{"text": "PSA: avoid them, they lost my bag", "moment": "Ultimate Moment", "moment": "ultimate_moment"}',
        '{"text": "Just ordered the new Kindle", "sentiment": "Positive", "sentiment": "positive"}',
        '{"text": "Which router should I get?", "moment": "ZMOT", "moment": "zero-moment", '
        '"sentiment": "neutral", "sentiment": "Neutral"}',
        '{"text": "Love it", "sentiment": "positive", "sentiment": "negative"}',  # two labels: still skipped
    ])
    assert report["moment"]["n"] == 2 and report["sentiment"]["n"] == 2
    assert stderr == [
        f"{tmp_path / 'merged.jsonl'}:4: skipped, `sentiment` is given more than once, with different values "
        "('positive', 'negative')",
        f"{tmp_path / 'merged.jsonl'}: 1 of 4 lines skipped, 3 used",
    ]


def test_train_data_reads_a_label_given_twice_in_two_spellings_too(tmp_path: Path) -> None:
    # `train --data` names its lines with evaluate's reader, then trains from read_jsonl: both must agree.
    from journeywatch.classifiers.data import read_jsonl

    path = tmp_path / "train.jsonl"
    path.write_text('{"text": "Love it", "sentiment": "Positive", "sentiment": "positive"}\n'
                    '{"text": "Hate it", "sentiment": "positive", "sentiment": "negative"}\n', encoding="utf-8")
    assert [row["text"] for row in read_jsonl(path)] == ["Love it"]


def test_a_label_that_is_not_a_string_is_shown_as_written_in_json(tmp_path: Path) -> None:
    # `"sentiment": true` was named "unknown sentiment True", Python's spelling, which is not in the file.
    path = tmp_path / "typed.jsonl"
    report, stderr = _evaluate(path, [
        '{"text": "Which router should I get?", "moment": "zmot", "sentiment": true}',
        '{"text": "Which laptop should I get?", "moment": false, "sentiment": "neutral"}',
        '{"text": "Which phone should I get?", "moment": ["ZMOT", null], "sentiment": {"label": "neutral"}}',
        '{"text": "Love it", "sentiment": "positive", "sentiment": true}',
    ])
    assert report["moment"]["n"] == 1 and report["sentiment"]["n"] == 1
    assert stderr == [
        f"{path}:1: unknown sentiment true ({SENTIMENT_LABELS}); its moment is used",
        f"{path}:2: unknown moment false ({MOMENT_LABELS}); its sentiment is used",
        f"{path}:3: skipped, unknown moment [\"ZMOT\", null] ({MOMENT_LABELS}); "
        f"unknown sentiment {{\"label\": \"neutral\"}} ({SENTIMENT_LABELS})",
        f"{path}:4: skipped, `sentiment` is given more than once, with different values ('positive', true)",
        f"{path}: 2 of 4 lines skipped, 2 used, 2 of them with one label left out",
    ]


def test_a_long_value_is_shown_cut_with_its_length(tmp_path: Path) -> None:
    # A CSV made JSON lines with its columns shifted put each post's body under `sentiment`: every line named
    # echoed its whole post on stderr (a 5 MB value, a 5 MB line), burying the reason at its end.
    path = tmp_path / "shifted.jsonl"
    report, stderr = _evaluate(path, [
        json.dumps({"text": "Love it", "moment": "umot", "sentiment": "so good " * 1000}),
        json.dumps({"text": "Love it", "moment": "umot", "sentiment": ["so good"] * 1000}),
        json.dumps({"text": "Hate it", "sentiment": "negative"}),
    ])
    assert report["moment"]["n"] == 2 and report["sentiment"]["n"] == 1
    assert stderr[:2] == [
        f"{path}:1: unknown sentiment '{('so good ' * 8)[:60]}…' (8,000 characters) ({SENTIMENT_LABELS}); "
        "its moment is used",
        f"{path}:2: unknown sentiment {(json.dumps(['so good'] * 1000))[:60]}… (11,000 characters) "
        f"({SENTIMENT_LABELS}); its moment is used",
    ]


def test_a_key_in_another_case_is_named_in_the_reason(tmp_path: Path) -> None:
    # A spreadsheet's export keeps its header's case: every line of {"Text": ..., "Sentiment": ...} was
    # skipped as "no `text`", which reads as if the line had none.
    path = tmp_path / "header.jsonl"
    path.write_text('{"Text": "Love it", "Sentiment": "Positive"}\n'
                    '{"text": "Love it", "Moment": "UMOT", "SENTIMENT": "positive"}\n', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[:2] == [
        f"{path}:1: skipped, no `text` (the line has `Text`: keys are read in lower case)",
        f"{path}:2: skipped, no `moment` or `sentiment` label (the line has `Moment`, `SENTIMENT`: "
        "keys are read in lower case)",
    ]
    classified = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert classified.stderr.splitlines()[0] == (
        f"{path}:1: skipped, no `text` (the line has `Text`: keys are read in lower case)")


def test_classify_refuses_a_source_kind_it_does_not_know() -> None:
    # `--source-kind reviews` (for review) was echoed on every line and applied nothing: the review-site rule
    # was silently left out ('I bought this kettle last month' second_moment, not the review's ultimate_moment).
    result = runner.invoke(app, ["classify", "--source-kind", "reviews", "I bought this kettle last month"],
                           standalone_mode=False)
    assert isinstance(result.exception, typer.BadParameter) and result.stdout == ""  # a usage error: exit 2
    assert result.exception.exit_code == 2
    assert result.exception.format_message() == (
        "Invalid value for '--source-kind': 'reviews': use one of reddit, review, forum, news, social, file")
    kept = runner.invoke(app, ["classify", "--source-kind", "Review", "I bought this kettle last month"])
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["moment"] in ("ultimate_moment", "zero_moment")


def test_a_line_with_a_source_kind_that_is_none_is_said_once(tmp_path: Path) -> None:
    # A line's `source_kind` "reviews" (or an export's site name) was read as no kind, silently: the review-site
    # rule left out of those lines' labels and figures, with no word of it.
    path = tmp_path / "kinds.jsonl"
    report, stderr = _evaluate(path, [
        json.dumps({"text": "I bought this kettle last month", "moment": "umot", "source_kind": "reviews"}),
        json.dumps({"text": "Does this fit a queen bed?", "moment": "zmot", "source_kind": "Review"}),
        json.dumps({"text": "Arrived broken", "moment": "umot", "source_kind": "reviews"}),
        json.dumps({"text": "Arrived broken", "moment": "umot", "source_kind": "trustpilot"}),
        json.dumps({"text": "Arrived broken", "moment": "umot", "source_kind": " "}),  # an empty cell: no kind
    ])
    assert report["moment"]["n"] == 5
    kinds = ("not a source kind (reddit, review, forum, news, social, file): read as none, "
             "so the review-site rule is not applied")
    assert stderr == [
        f"{path}: source_kind 'reviews' on 2 lines (the first line 1) is {kinds}",
        f"{path}: source_kind 'trustpilot' on 1 line (line 4) is {kinds}",
    ]


def test_a_line_that_is_not_utf8_says_where(tmp_path: Path) -> None:
    # "not UTF-8 text" and no more: in a long line (a review of some 10,000 characters) the one Latin-1 byte
    # had to be hunted for by hand, while a JSON error says its column.
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "Love it", "sentiment": "positive"}\n'
                     b'{"text": "' + b"fine " * 2000 + b'caf\xe9", "sentiment": "negative"}\n'
                     b'{"text": "na\xefve \xe2\x82", "sentiment": "neutral"}\n'
                     b'\xef\xbb\xbf{"text": "caf\xe9", "sentiment": "neutral"}\n')  # a BOM where two files were joined
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:3] == [
        f"{path}:2: skipped, not UTF-8 text (byte 0xe9 at column 10014)",
        f"{path}:3: skipped, not UTF-8 text (byte 0xef at column 13)",
        f"{path}:4: skipped, not UTF-8 text (byte 0xe9 at column 14)",
    ]
