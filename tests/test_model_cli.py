"""The model commands: classify, evaluate, evaluation-data and reclassify (train is in test_classifier.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

import journeywatch.classifiers as classifiers
from journeywatch.cli import app
from journeywatch.domain import MOMENTS, SENTIMENTS, Mention, Prediction
from journeywatch.errors import ConfigError
from journeywatch.flows.steps import classify_pending
from journeywatch.storage import open_database, store_batch
from journeywatch.storage.tables import classifications

from .test_classifier import tiny_model  # noqa: F401  (the session's tiny trained model)

runner = CliRunner()


class KeywordClassifier:
    """A fake with a known rule, so evaluate's figures can be checked by hand."""

    version = "fake-1"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        out = []
        for text in texts:
            moment = "ultimate_moment" if "avoid" in text else "zero_moment"
            sentiment = "negative" if "avoid" in text or "broke" in text else "neutral"
            out.append(Prediction(moment, 0.9, sentiment, 0.8, {moment: 0.9}, {sentiment: 0.8}))
        return out


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_evaluate_json_gives_hand_checkable_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    rows = [
        {"text": "avoid this shop", "moment": "ultimate_moment", "sentiment": "negative"},
        {"text": "which one should I buy", "moment": "zero_moment", "sentiment": "neutral"},
        {"text": "it broke after a week", "moment": "second_moment", "sentiment": "negative"},
        {"text": "love it, buy it", "moment": "ultimate_moment", "sentiment": "positive"},
        {"text": "no labels here"},
    ]
    path = tmp_path / "eval.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [report] = _lines(result.output)
    moment, sentiment = report["moment"], report["sentiment"]
    assert moment["n"] == 4 and moment["accuracy"] == pytest.approx(0.5)
    # ultimate P 1/1 R 1/2 F1 2/3; zero P 1/3 R 1/1 F1 1/2; second P 0 R 0 F1 0
    assert moment["macro_f1"] == pytest.approx((2 / 3 + 0.5 + 0.0) / 3)
    assert moment["macro_recall"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert moment["per_label"]["zero_moment"]["precision"] == pytest.approx(1 / 3)
    assert sentiment["n"] == 4 and sentiment["accuracy"] == pytest.approx(0.75)
    assert sentiment["macro_recall"] == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert set(sentiment["per_label"]) == set(SENTIMENTS)

    text = runner.invoke(app, ["evaluate", str(path)])
    assert text.exit_code == 0
    assert "macro-F1" in text.output and "confusion" in text.output


def test_evaluate_json_always_has_both_kinds_and_measures_only_the_labels_a_file_has(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = tmp_path / "sentiment.jsonl"
    path.write_text(json.dumps({"text": "avoid", "sentiment": "negative"}) + "\n", encoding="utf-8")
    [report] = _lines(runner.invoke(app, ["evaluate", str(path), "--json"]).output)
    assert report["sentiment"]["accuracy"] == 1.0
    # The contract's keys are always there (a moments-less file had no "moment": a KeyError for a script);
    # nothing measured is n 0 and null figures, not zeros that read as a measured failure.
    assert report["moment"] == {"n": 0, "accuracy": None, "macro_f1": None, "macro_recall": None,
                                "per_label": {}, "confusion": {"labels": [], "rows": []}}
    text = runner.invoke(app, ["evaluate", str(path)])
    assert text.exit_code == 0, text.output
    assert "moment  n=0: no line has a moment label" in text.stdout


def test_evaluate_tables_and_json_show_only_labels_in_the_file_or_the_predictions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every taxonomy label had a row of 0.0000 (and a confusion row and column of zeros), measured or not.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "two.jsonl", [
        json.dumps({"text": "avoid them", "moment": "ultimate_moment", "sentiment": "negative"}),
        json.dumps({"text": "it broke", "moment": "second_moment", "sentiment": "negative"}),
    ])
    [report] = _lines(runner.invoke(app, ["evaluate", str(path), "--json"]).stdout)
    # predicted: ultimate_moment, zero_moment (the fake's rule); true: ultimate_moment, second_moment
    assert list(report["moment"]["per_label"]) == ["zero_moment", "second_moment", "ultimate_moment"]
    assert report["moment"]["confusion"]["labels"] == ["zero_moment", "second_moment", "ultimate_moment"]
    assert report["moment"]["macro_f1"] == pytest.approx((0 + 0 + 1) / 3)
    assert report["moment"]["macro_recall"] == pytest.approx((0 + 1) / 2)
    assert list(report["sentiment"]["per_label"]) == ["negative"]
    text = runner.invoke(app, ["evaluate", str(path)])
    assert text.exit_code == 0, text.output
    for absent in ("stimulus", "first_moment", "none", "neutral", "positive"):
        assert absent not in text.stdout
    assert "predicted" in text.stdout
    header = next(line for line in text.stdout.splitlines() if "true \\ predicted" in line)
    assert "ZMOT" in header and "SMOT" in header and "UMOT" in header  # was cut to zero_momen, second_mom


def test_evaluate_names_its_file_literally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The header was rich markup: a file named x[bold]y.jsonl was shown as xy.jsonl.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "x[bold]y.jsonl", [json.dumps({"text": "avoid", "sentiment": "negative"})])
    result = runner.invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"file {path}" in result.stdout.replace("\n", "")


def test_evaluate_rejects_missing_and_unlabelled_files(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["evaluate", str(tmp_path / "nope.jsonl")])
    assert isinstance(missing.exception, ConfigError)
    unlabelled = tmp_path / "u.jsonl"
    unlabelled.write_text('{"text": "hello"}\n', encoding="utf-8")
    assert isinstance(runner.invoke(app, ["evaluate", str(unlabelled)]).exception, ConfigError)
    folder = runner.invoke(app, ["evaluate", str(tmp_path)])  # said "no such file" of a folder that is there
    assert isinstance(folder.exception, ConfigError) and "is a folder; give a JSONL file" in str(folder.exception)


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_evaluate_names_every_skipped_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "mixed.jsonl", [
        json.dumps({"text": "avoid this shop", "sentiment": "negative"}),
        '{"text": "cut off half way',
        json.dumps({"moment": "zero_moment"}),
        json.dumps({"text": "it broke", "sentiment": "angry"}),
        "",
        json.dumps({"text": "no labels here"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": "which one", "sentiment": "neutral"}),
    ])
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{path}:2: skipped, not valid JSON (Unterminated string starting at column 10)",
        f"{path}:3: skipped, no `text`",
        f"{path}:4: skipped, unknown sentiment 'angry' (sentiment labels are negative, neutral, positive)",
        f"{path}:6: skipped, no `moment` or `sentiment` label",
        f"{path}:7: skipped, not a JSON object",
        f"{path}: 5 of 7 lines skipped, 2 used",
    ]
    [report] = _lines(result.stdout)
    assert report["sentiment"]["n"] == 2 and report["sentiment"]["accuracy"] == 1.0


def test_evaluate_reads_labels_in_any_case_and_suggests_the_label_an_abbreviation_may_mean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `Positive` (every sentiment export spelt so) and an empty label cell lost the whole line.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "spelt.jsonl", [
        json.dumps({"text": "avoid this shop", "moment": "Ultimate Moment", "sentiment": "NEGATIVE"}),
        json.dumps({"text": "which one", "moment": "ZMOT", "sentiment": " Neutral "}),
        json.dumps({"text": "it broke", "moment": "second-moment", "sentiment": ""}),
        json.dumps({"text": "love it", "sentiment": "pos"}),
        json.dumps({"text": "PSA", "moment": "ultimate"}),
        json.dumps({"text": "meh", "sentiment": "n"}),
    ])
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{path}:4: skipped, unknown sentiment 'pos' (did you mean 'positive'? "
        "sentiment labels are negative, neutral, positive)",
        f"{path}:5: skipped, unknown moment 'ultimate' (did you mean 'ultimate_moment'? "
        "moment labels are stimulus, zero_moment, first_moment, second_moment, ultimate_moment, none)",
        f"{path}:6: skipped, unknown sentiment 'n' (sentiment labels are negative, neutral, positive)",
        f"{path}: 3 of 6 lines skipped, 3 used",
    ]
    [report] = _lines(result.stdout)
    assert report["moment"]["n"] == 3 and report["sentiment"]["n"] == 2
    assert set(report["moment"]["per_label"]) >= {"ultimate_moment", "zero_moment", "second_moment"}
    assert report["sentiment"]["accuracy"] == 1.0


def test_classify_jsonl_caps_the_skipped_list_and_fails_when_nothing_is_usable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "bad.jsonl", ["not json"] * 12 + [json.dumps({"text": "avoid them"})])
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    assert [line["text"] for line in _lines(result.stdout)] == ["avoid them"]
    err = result.stderr.splitlines()
    assert err[:10] == [f"{path}:{n}: skipped, not valid JSON (Expecting value at column 1)" for n in range(1, 11)]
    assert err[10:] == [f"{path}: … and 2 more skipped lines", f"{path}: 12 of 13 lines skipped, 1 used"]

    hopeless = _write_lines(tmp_path / "hopeless.jsonl", ['{"txt": "typo"}', "[]"])
    failed = runner.invoke(app, ["classify", "--jsonl", str(hopeless)])
    assert isinstance(failed.exception, ConfigError)
    assert str(failed.exception) == f"{hopeless}: no usable line (2 skipped); each line needs a `text`"
    assert failed.stdout == ""


def test_classify_jsonl_passes_each_line_id_and_number_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Results could only be joined back to the input by position, which skipped lines break.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "rows.jsonl", [
        json.dumps({"id": 17, "text": "avoid this shop", "author": "x", "body": "long " * 50}),
        "not json",
        json.dumps({"text": "which one"}),
        json.dumps({"id": "row-4", "text": "it broke"}),
    ])
    result = runner.invoke(app, ["classify", "first arg", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    assert [(line.get("id"), line.get("line"), line["text"]) for line in lines] == [
        (None, None, "first arg"), (17, 1, "avoid this shop"), (None, 3, "which one"), ("row-4", 4, "it broke")]
    assert "id" not in lines[0] and "line" not in lines[0] and "id" not in lines[2]
    assert "author" not in lines[1] and "body" not in lines[1]
    assert list(lines[1])[:3] == ["id", "line", "text"]


def test_classify_and_evaluate_read_a_pipe_given_as_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # `evaluate <(zcat labelled.jsonl.gz)` and /dev/null were "no such file": only regular files were read.
    import os

    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    for args in (["classify", "--jsonl"], ["evaluate"]):
        read, write = os.pipe()
        os.write(write, json.dumps({"id": 3, "text": "avoid them", "sentiment": "negative"}).encode() + b"\n")
        os.close(write)
        try:
            result = runner.invoke(app, [*args, f"/dev/fd/{read}"])
        finally:
            os.close(read)
        assert result.exit_code == 0, repr(result.exception)
        assert "avoid them" in result.stdout or "n=1" in result.stdout
    empty = runner.invoke(app, ["evaluate", os.devnull])
    assert str(empty.exception).startswith(f"{os.devnull}: the file is empty")


def test_classify_jsonl_keeps_only_the_fields_it_uses_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every row was held whole until the end: an export with a large field per line (raw HTML, say) held it all.
    import tracemalloc

    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = tmp_path / "wide.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(1500):
            handle.write(json.dumps({"id": i, "text": f"avoid {i}", "html": "x" * 20_000}) + "\n")  # 30 MB
    tracemalloc.start()
    try:
        result = runner.invoke(app, ["classify", "--jsonl", str(path)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert len(_lines(result.stdout)) == 1500
    assert peak < 15_000_000, peak


def test_classify_and_evaluate_read_stdin_for_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    # `-` was "no such file": a pipeline had to write a temporary file first.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    lines = '{"id": 1, "text": "avoid them", "sentiment": "negative"}\nnope\n{"text": "ok", "sentiment": "neutral"}\n'
    result = runner.invoke(app, ["classify", "--jsonl", "-"], input=lines)
    assert result.exit_code == 0, result.output
    assert [(line.get("id"), line["line"]) for line in _lines(result.stdout)] == [(1, 1), (None, 3)]
    assert result.stderr.splitlines() == ["<stdin>:2: skipped, not valid JSON (Expecting value at column 1)",
                                          "<stdin>: 1 of 3 lines skipped, 2 used"]
    scored = runner.invoke(app, ["evaluate", "-", "--json"], input=lines)
    assert scored.exit_code == 0, scored.output
    assert _lines(scored.stdout)[0]["sentiment"]["n"] == 2
    assert "file <stdin>" in runner.invoke(app, ["evaluate", "-"], input=lines).stdout
    empty = runner.invoke(app, ["evaluate", "-"], input="")
    assert isinstance(empty.exception, ConfigError) and str(empty.exception).startswith("<stdin>: the file is empty")


def test_classify_and_evaluate_work_in_chunks_with_progress_on_a_terminal_stderr_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A long file printed nothing until every text was done, and had no progress at all.
    import io

    from rich.console import Console

    import journeywatch.cli.model as model_cli

    batches: list[int] = []

    class Counting(KeywordClassifier):
        def predict(self, texts: Sequence[str]) -> list[Prediction]:
            batches.append(len(texts))
            return super().predict(texts)

    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: Counting())
    monkeypatch.setattr(model_cli, "CLASSIFY_CHUNK", 2)
    terminal = io.StringIO()
    monkeypatch.setattr(model_cli, "_stderr", Console(file=terminal, force_terminal=True, width=80))
    path = _write_lines(tmp_path / "five.jsonl", [json.dumps({"id": i, "text": f"avoid {i}", "sentiment": "negative"})
                                                  for i in range(5)])
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    assert [line["id"] for line in _lines(result.stdout)] == [0, 1, 2, 3, 4]
    assert len(result.stdout.splitlines()) == 5 and result.stderr == ""
    assert batches == [2, 2, 1] and "classifying" in terminal.getvalue()
    batches.clear()
    scored = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert scored.exit_code == 0, scored.output
    assert _lines(scored.stdout)[0]["sentiment"]["n"] == 5 and "evaluating" in terminal.getvalue()


def test_ctrl_c_in_classify_or_evaluate_says_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl-C said "what was stored so far is kept, and running the command again carries on from there":
    # classify stores nothing and starts again from the top.
    import journeywatch.cli.model as model_cli

    class Interrupted(KeywordClassifier):
        calls = 0

        def predict(self, texts: Sequence[str]) -> list[Prediction]:
            Interrupted.calls += 1
            if Interrupted.calls == 2:
                raise KeyboardInterrupt
            return super().predict(texts)

    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: Interrupted())
    monkeypatch.setattr(model_cli, "CLASSIFY_CHUNK", 2)
    rows = [json.dumps({"text": f"avoid {i}", "sentiment": "negative"}) for i in range(5)]
    path = _write_lines(tmp_path / "five.jsonl", ["not json", *rows])
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 130
    assert [line["line"] for line in _lines(result.stdout)] == [2, 3]
    assert result.stderr.splitlines()[-1] == ("interrupted: 2 results written, the last for input line 3; "
                                              "nothing else was classified")
    Interrupted.calls = 1
    scored = runner.invoke(app, ["evaluate", str(path)])
    assert scored.exit_code == 130 and scored.stdout == ""
    assert scored.stderr.splitlines()[-1] == "interrupted: nothing was scored (5 texts); nothing was written"


def test_classify_prints_one_json_line_per_text(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "the box arrived damaged"}\n{"text": "follow for follow"}\n', encoding="utf-8")
    result = runner.invoke(app, ["classify", "Is it worth it?", "--jsonl", str(path), "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert [line["text"] for line in lines] == ["Is it worth it?", "the box arrived damaged", "follow for follow"]
    for line in lines:
        assert line["moment"] in MOMENTS and line["sentiment"] in SENTIMENTS
        assert 0 < line["moment_confidence"] <= 1 and 0 < line["sentiment_confidence"] <= 1
        assert isinstance(line["needs_review"], bool)
        assert line["model_version"].startswith("jw-")


def test_classify_survives_lone_surrogates_and_undecodable_arguments(
    tiny_model: Path, tmp_path: Path,  # noqa: F811
) -> None:
    # A JSON "\\ud83d" with no pair, a written-out escaped emoji and bytes that are not UTF-8 on the
    # command line each ended in a TypeError traceback from the tokenizer.
    path = _write_lines(tmp_path / "odd.jsonl", [
        '{"id": 1, "text": "lone \\ud83d here"}',
        '{"id": 2, "text": "escaped emoji \\\\ud83d\\\\ude00 love it"}',
    ])
    undecodable = b"caf\xe9 was great".decode("utf-8", "surrogateescape")  # as Python hands argv over
    result = runner.invoke(app, ["classify", "fine", undecodable, "--jsonl", str(path), "--model", str(tiny_model)])
    assert result.exit_code == 0, repr(result.exception)
    assert result.stderr.splitlines() == ["TEXT argument 2: skipped, not UTF-8 text"]
    raw = result.stdout_bytes.decode("utf-8")  # strict: what was written is UTF-8
    lines = _lines(raw)
    assert [line.get("id") for line in lines] == [None, 1, 2]
    assert lines[1]["text"] == "lone \ud83d here"  # echoed as given, as the same JSON escape
    assert lines[2]["text"] == "escaped emoji \\ud83d\\ude00 love it"
    assert all(line["moment"] in MOMENTS for line in lines)


def test_classify_output_is_one_line_per_text_for_any_line_splitter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # U+2028, U+2029 and U+0085 were written raw: str.splitlines() cut the JSON line there.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    text = "avoid\u2028them\u0085now\u2029ok"
    result = runner.invoke(app, ["classify", text, "ça va 😍"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and [json.loads(line)["text"] for line in lines] == [text, "ça va 😍"]
    assert "ça va 😍" in result.stdout  # still readable, not ASCII-escaped


def test_classify_without_input_is_a_usage_error() -> None:
    # exit 2, as `evaluate` without its FILE (README: 2 for a missing option or argument); bad input exits 1
    assert runner.invoke(app, ["classify"]).exit_code == 2


def test_classify_skips_blank_text_arguments_as_it_skips_blank_jsonl_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    # classify "" printed a confident-looking label (ultimate_moment, negative) for no text at all.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    result = runner.invoke(app, ["classify", "avoid them", "  "])
    assert result.exit_code == 0, result.output
    assert [line["text"] for line in _lines(result.stdout)] == ["avoid them"]
    assert result.stderr.splitlines() == ["TEXT argument 2: skipped, the text is empty"]
    assert isinstance(runner.invoke(app, ["classify", ""]).exception, ConfigError)


def test_train_names_unusable_data_lines_and_refuses_a_file_with_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # --data lines that were not UTF-8 gave a traceback; unknown or differently spelt labels were dropped
    # without a word, so a `Positive`/`Negative` file trained nothing and the error blamed the data as a whole.
    import journeywatch.classifiers.training as training

    trained: list = []

    def fake_train(dataset, folder, options, log):  # type: ignore[no-untyped-def]
        trained.append(dataset)
        return training.TrainResult(config=None, dev={})  # type: ignore[arg-type]

    monkeypatch.setattr(training, "train_model", fake_train)
    good = tmp_path / "good.jsonl"
    good.write_bytes(b'\xef\xbb\xbf{"text": "love it", "sentiment": "Positive"}\n'
                     b'{"text": "caf\xe9", "sentiment": "positive"}\n{"text": "PSA avoid", "moment": "ultimate"}\n'
                     b'{"text": "which one", "moment": "ZMOT"}\n')
    args = ["train", "--no-corpus", "--no-benchmarks", "--no-card", "--out", str(tmp_path / "m"), "--data"]
    result = runner.invoke(app, [*args, str(good)])
    assert result.exit_code == 0, repr(result.exception)
    assert result.stderr.splitlines() == [
        f"{good}:2: skipped, not UTF-8 text (byte 0xe9 at column 14)",
        f"{good}:3: skipped, unknown moment 'ultimate' (did you mean 'ultimate_moment'? "
        "moment labels are stimulus, zero_moment, first_moment, second_moment, ultimate_moment, none)",
        f"{good}: 2 of 4 lines skipped, 2 used",
        "warning: every moment label to train on is 'zero_moment': the moment head learns to give it to every "
        "text; add examples of the other labels",
        "warning: every sentiment label to train on is 'positive': the sentiment head learns to give it to every "
        "text; add examples of the other labels",
    ]
    [dataset] = trained
    examples = dataset.train + dataset.corpus_holdout
    assert sorted((e.text, e.moment, e.sentiment) for e in examples) == [
        ("love it", None, "positive"), ("which one", "zero_moment", None)]
    useless = _write_lines(tmp_path / "useless.jsonl", [json.dumps({"text": "hi", "sentiment": "pos"})])
    refused = runner.invoke(app, [*args, str(useless)])
    assert isinstance(refused.exception, ConfigError)
    assert str(refused.exception).startswith(f"{useless}: no usable line (1 skipped)")
    assert len(trained) == 1
    pipe = runner.invoke(app, [*args, "/dev/null"])  # read twice, so a pipe would train on nothing
    assert str(pipe.exception).startswith("--data '/dev/null' is not a regular file (a pipe?)")


def test_train_logs_progress_on_stderr_and_prints_one_json_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Progress lines went to stdout before the result, so `journeywatch train | jq` choked.
    import journeywatch.classifiers.training as training

    def fake_train(dataset, folder, options, log):  # type: ignore[no-untyped-def]
        log("epoch 1: loss 0.5 [not markup]")
        return training.TrainResult(config=None, dev={"moment_dev_macro_f1": 0.51234})  # type: ignore[arg-type]

    monkeypatch.setattr(training, "train_model", fake_train)
    data = _write_lines(tmp_path / "d.jsonl", [json.dumps({"text": "love it", "sentiment": "positive"})])
    result = runner.invoke(app, ["train", "--no-corpus", "--no-benchmarks", "--no-card", "--out", str(tmp_path / "m"),
                                 "--data", str(data)])
    assert result.exit_code == 0, repr(result.exception)
    assert result.stderr.splitlines() == [  # a model with one head untrained was saved without a word
        "warning: no moment labels to train on: the moment head stays untrained and its moment predictions "
        "mean nothing", "warning: every sentiment label to train on is 'positive': the sentiment head learns to "
        "give it to every text; add examples of the other labels", "epoch 1: loss 0.5 [not markup]"]
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"model": str((tmp_path / "m").resolve()), "moment_dev_macro_f1": 0.5123}]


def test_classify_skips_texts_with_nothing_to_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A zero-width space, a NUL or a written-out "\\u0020" got ultimate_moment/negative, the heads' answer
    # for nothing, as a blank text did before it was skipped.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "invisible.jsonl", [
        json.dumps({"text": "\u200b"}), json.dumps({"text": "\u0000 \u200e"}), json.dumps({"text": "\\u0020"}),
        json.dumps({"text": "avoid \u200b them"}),
    ])
    result = runner.invoke(app, ["classify", "\u200b\u2060", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    assert [line["text"] for line in _lines(result.stdout)] == ["avoid \u200b them"]
    assert result.stderr.splitlines() == [
        "TEXT argument 1: skipped, the text has only invisible characters",
        f"{path}:1: skipped, `text` has only invisible characters",
        f"{path}:2: skipped, `text` has only invisible characters",
        f"{path}:3: skipped, `text` has only invisible characters",
        f"{path}: 3 of 4 lines skipped, 1 used",
    ]


def test_ctrl_c_in_train_says_whether_the_model_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import journeywatch.classifiers.training as training

    def interrupted(dataset, folder, options, log):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(training, "train_model", interrupted)
    data = _write_lines(tmp_path / "d.jsonl", [json.dumps({"text": "love it", "sentiment": "positive"})])
    out = (tmp_path / "m").resolve()
    result = runner.invoke(app, ["train", "--no-corpus", "--no-benchmarks", "--out", str(out), "--data", str(data)])
    assert result.exit_code == 130 and result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith(f"interrupted: no model was written to {out}; ")

    import journeywatch.classifiers.evaluation as evaluation

    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    monkeypatch.setattr(evaluation, "evaluation_sets", lambda *a, **k: interrupted(None, None, None, None))
    card = runner.invoke(app, ["card", "--model", str(out)])
    assert card.exit_code == 130 and card.stderr.splitlines()[-1] == "interrupted: the card was not rewritten"


def _database_with_old_classifications(tmp_path: Path, model_dir: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'jw.db'}"
    engine = open_database(url)
    now = datetime.now(timezone.utc)
    store_batch(engine, [Mention("files", f"m{i}", text, now) for i, text in
                         enumerate(["which one should I buy", "avoid this shop", "it broke after a week"])])
    assert classify_pending(engine, KeywordClassifier(), 2) == 3
    config = tmp_path / "journeywatch.yaml"
    config.write_text(f"database: {url}\nbrands:\n  - name: Acme\n    query: acme\n"
                      f"classifier:\n  model_dir: {model_dir}\n  batch_size: 2\n", encoding="utf-8")
    return config, url


def _versions(url: str) -> set[str]:
    with open_database(url).connect() as connection:
        return set(connection.execute(select(classifications.c.model_version)).scalars())


def test_reclassify_retags_items_of_another_model(tiny_model: Path, tmp_path: Path, sqlite_url: str) -> None:  # noqa: F811
    config, url = _database_with_old_classifications(tmp_path, tiny_model)
    assert _versions(url) == {"fake-1"}
    result = runner.invoke(app, ["reclassify", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "reclassified 3" in result.output
    assert _versions(url) == {classifiers.load_classifier(tiny_model).version}
    again = runner.invoke(app, ["reclassify", "--config", str(config)])
    assert "reclassified 0" in again.output


def test_reclassify_takes_a_database_url_and_refuses_a_database_that_is_not_there(
    tiny_model: Path, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    # There was no --database (db upgrade and alerts list have one); a mistyped SQLite path got an empty
    # database created there and "reclassified 0 items"; the progress bar was on stdout with the result.
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    _, url = _database_with_old_classifications(tmp_path, tiny_model)
    result = runner.invoke(app, ["reclassify", "--database", url, "--model", str(tiny_model)])
    assert result.exit_code == 0, repr(result.exception)
    version = classifiers.load_classifier(tiny_model).version
    assert result.stdout.splitlines() == [f"reclassified 3 items with {version}"]
    assert "reclassifying" not in result.stdout  # nor, stderr not being a terminal, on stderr
    assert _versions(url) == {version}

    missing = tmp_path / "typo" / "jw.db"
    refused = runner.invoke(app, ["reclassify", "--database", f"sqlite:///{missing}"])
    assert isinstance(refused.exception, ConfigError)
    assert str(refused.exception).startswith(f"--database: no database at {missing}")
    config = tmp_path / "typo.yaml"
    config.write_text(f"database: sqlite:///{missing}\nbrands:\n  - name: Acme\n    query: acme\n", encoding="utf-8")
    refused = runner.invoke(app, ["reclassify", "--config", str(config)])
    assert str(refused.exception).startswith(f"config key 'database': no database at {missing}")
    assert not missing.parent.exists()
    neither = runner.invoke(app, ["reclassify"])
    assert str(neither.exception) == "give --config or --database (or set JOURNEYWATCH_DATABASE_URL)"
    # One helper opens the database for db upgrade, alerts list and reclassify: a database in memory
    # (everything gone when the command ends) was refused by the first two and taken by reclassify.
    memory = runner.invoke(app, ["reclassify", "--database", "sqlite://"])
    assert str(memory.exception).startswith("--database: 'sqlite://' names no file: that is a database in memory")


def test_reclassify_flow_runs_under_prefect(tiny_model: Path, tmp_path: Path, sqlite_url: str,  # noqa: F811
                                            prefect_harness: None) -> None:
    from journeywatch.flows.reclassify import reclassify_flow

    config, url = _database_with_old_classifications(tmp_path, tiny_model)
    assert reclassify_flow(str(config)) == 3
    assert _versions(url) == {classifiers.load_classifier(tiny_model).version}


def test_reclassify_flow_refuses_a_mistyped_database_path(tmp_path: Path, prefect_harness: None) -> None:
    """The deployment's flow made an empty database at a mistyped path and reported 0 reclassified, as the CLI did."""
    from journeywatch.flows.reclassify import reclassify_flow

    missing = tmp_path / "typo" / "jw.db"
    config = tmp_path / "typo.yaml"
    config.write_text(f"database: sqlite:///{missing}\nbrands:\n  - name: Acme\n    query: acme\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no database at"):
        reclassify_flow(str(config))
    assert not missing.parent.exists()


def test_backend_choices_are_the_classifiers_own(tmp_path: Path) -> None:
    path = _write_lines(tmp_path / "one.jsonl", [json.dumps({"text": "avoid", "sentiment": "negative"})])
    result = runner.invoke(app, ["evaluate", str(path), "--backend", "fp8"], standalone_mode=False)
    assert isinstance(result.exception, typer.BadParameter) and result.exception.exit_code == 2  # a usage error
    assert result.exception.format_message() == "Invalid value for '--backend': 'fp8': use one of auto, bf16, int8, torch"


def test_classify_jsonl_keeps_a_bom_line_and_says_what_is_wrong_with_each_line(tmp_path: Path) -> None:
    # The shipped model, for real. A UTF-8 byte-order mark (Excel, PowerShell) made line 1 "not valid
    # JSON" and lost it; a number as `text` and an empty `text` both read "no `text`".
    path = tmp_path / "export.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "the box arrived damaged"}\n\n'
                     b'{"text": 42}\n{"text": "  "}\n{"body": "x"}\n[1]\n{"text": "caf\xe9"}\n'
                     b'{"text": "follow for follow back"}\n')
    result = runner.invoke(app, ["classify", "--jsonl", str(path), "--backend", "torch"])
    assert result.exit_code == 0, result.output
    assert [line["text"] for line in _lines(result.stdout)] == ["the box arrived damaged", "follow for follow back"]
    assert result.stderr.splitlines() == [
        f"{path}:3: skipped, `text` is a number, not a string",
        f"{path}:4: skipped, `text` is empty",
        f"{path}:5: skipped, no `text`",
        f"{path}:6: skipped, not a JSON object",
        f"{path}:7: skipped, not UTF-8 text (byte 0xe9 at column 14)",
        f"{path}: 5 of 7 lines skipped, 2 used",
    ]


@pytest.mark.parametrize("content", [b"", b"\n  \n\r\n"])
def test_an_empty_jsonl_file_is_an_error_saying_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    for args in (["classify", "--jsonl", str(path)], ["evaluate", str(path)]):
        result = runner.invoke(app, args)
        assert isinstance(result.exception, ConfigError), result.output
        assert str(result.exception).startswith(f"{path}: the file is empty (no line but blank ones); "
                                                "it needs one JSON object per line, each with ")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_classify_and_evaluate_read_a_utf16_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 encoding: str) -> None:
    # Windows PowerShell's `>` writes UTF-16 (with a byte-order mark; some tools without): every line was
    # skipped as "not UTF-8 text" or "not valid JSON" and the file was "no usable line".
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    rows = [{"id": "a", "text": "avoid this café", "moment": "UMOT", "sentiment": "negative"},
            {"id": "b", "text": "which one should I buy", "moment": "zero moment"}]
    path = tmp_path / "powershell.jsonl"
    path.write_bytes("".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in rows).encode(encoding))
    classified = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert classified.exit_code == 0, classified.output
    assert [(r["id"], r["line"], r["text"]) for r in _lines(classified.stdout)] == [
        ("a", 1, "avoid this café"), ("b", 2, "which one should I buy")]
    assert classified.stderr == ""
    evaluated = runner.invoke(app, ["evaluate", "-", "--json"], input=path.read_bytes())
    assert evaluated.exit_code == 0, evaluated.output
    [report] = _lines(evaluated.stdout)
    assert report["moment"]["n"] == 2 and report["moment"]["accuracy"] == 1.0
    assert report["sentiment"]["n"] == 1


def test_a_null_text_is_named_as_null_not_as_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `"text": null` (an export's empty cell) read "no `text`", as if the key were misspelt.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "nulls.jsonl", [json.dumps({"text": None, "sentiment": "negative"}),
                                                   json.dumps({"body": "x", "sentiment": "negative"}),
                                                   json.dumps({"text": "avoid", "sentiment": "negative"})])
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [f"{path}:1: skipped, `text` is null", f"{path}:2: skipped, no `text`"]


def test_evaluation_data_writes_outside_the_checkout_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `journeywatch evaluation-data eval` from the repository root wrote the benchmark texts into the checkout,
    # where `git add` took them in; --help said "(outside the repo)" and nothing held to it.
    from journeywatch.classifiers.data import PACKAGE_DIR

    checkout = PACKAGE_DIR.parent
    monkeypatch.chdir(checkout)
    for out in ("jw-eval-test-out", str(checkout / "classifiers" / "jw-eval-test-out")):
        result = runner.invoke(app, ["evaluation-data", out, "--benchmarks", str(tmp_path / "none")])
        assert isinstance(result.exception, ConfigError), result.output
        assert "is inside the project checkout" in str(result.exception)
        assert not (checkout / out).exists()
    written = runner.invoke(app, ["evaluation-data", str(tmp_path / "eval"), "--benchmarks", str(tmp_path / "none")])
    assert written.exit_code == 0, written.output
    holdout = tmp_path / "eval" / "moments-holdout.jsonl"  # the corpus's own held-out part needs no benchmarks
    assert all(json.loads(line)["moment"] in MOMENTS for line in holdout.read_text(encoding="utf-8").splitlines())


def test_a_line_with_one_unknown_label_is_scored_for_its_other_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A line whose moment was 'research' (another team's scheme) was skipped whole, its good sentiment with it:
    # a file labelled that way had "no usable line" for sentiment, while `train --data` trained on those labels.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "mixed.jsonl", [
        json.dumps({"text": "avoid them", "moment": "research", "sentiment": "negative"}),
        json.dumps({"text": "which one", "moment": "ZMOT", "sentiment": 2}),
        json.dumps({"text": "it broke", "moment": ["x"], "sentiment": "angry"}),
        json.dumps({"text": "avoid", "moment": "umot", "sentiment": "negative"}),
    ])
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    labels = "moment labels are stimulus, zero_moment, first_moment, second_moment, ultimate_moment, none"
    assert result.stderr.splitlines() == [
        f"{path}:1: unknown moment 'research' ({labels}); its sentiment is used",
        f"{path}:2: unknown sentiment 2 (sentiment labels are negative, neutral, positive); its moment is used",
        f"{path}:3: skipped, unknown moment [\"x\"] ({labels}); "
        "unknown sentiment 'angry' (sentiment labels are negative, neutral, positive)",
        f"{path}: 1 of 4 lines skipped, 3 used, 2 of them with one label left out",
    ]
    [report] = _lines(result.stdout)
    assert report["moment"]["n"] == 2 and report["moment"]["accuracy"] == 1.0
    assert report["sentiment"]["n"] == 2 and report["sentiment"]["accuracy"] == 1.0


def test_ctrl_c_while_reading_or_loading_the_model_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl-C in the seconds the model loads (or a long file is read) fell through to main's generic
    # "what was stored so far is kept, and running the command again carries on from there".
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(classifiers, "load_classifier", interrupt)
    path = _write_lines(tmp_path / "one.jsonl", [json.dumps({"text": "avoid", "sentiment": "negative"})])
    for args, said in ((["classify", "hello"], "interrupted before any text was classified; nothing was written"),
                       (["evaluate", str(path)], "interrupted before any text was scored; nothing was written")):
        result = runner.invoke(app, args)
        assert result.exit_code == 130, result.output
        assert result.stdout == "" and result.stderr.splitlines() == [said]
    import journeywatch.classifiers.splits as splits

    monkeypatch.setattr(splits, "build_training_set", interrupt)
    out = tmp_path / "model"
    trained = runner.invoke(app, ["train", "--data", str(path), "--out", str(out), "--no-benchmarks"])
    assert trained.exit_code == 130, trained.output
    assert trained.stderr.splitlines() == [
        f"interrupted while reading the training data: no model was written to {out.resolve()}"]
    assert not out.exists()


def test_a_line_giving_a_label_or_text_twice_is_named_not_read_as_its_last_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # json.loads keeps a repeated key's last value: the first line was scored as negative, silently.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "dup.jsonl", [
        '{"text": "avoid", "sentiment": "positive", "sentiment": "negative"}',
        '{"text": "avoid", "sentiment": "negative", "sentiment": "negative", "x": 1, "x": 2}',
        '{"text": "a", "text": "b", "sentiment": "neutral"}',
    ])
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"{path}:1: skipped, `sentiment` is given more than once, with different values ('positive', 'negative')",
        f"{path}:3: skipped, `text` is given more than once, with different values ('a', 'b')",
    ]
    [report] = _lines(result.stdout)
    assert report["sentiment"]["n"] == 1


def test_classify_ignores_repeated_labels_it_does_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "dup.jsonl", ['{"text": "avoid", "sentiment": "positive", "sentiment": "negative"}'])
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 0 and result.stderr == ""
    assert [line["text"] for line in _lines(result.stdout)] == ["avoid"]


def test_classify_and_evaluate_read_a_gzip_file_and_name_a_damaged_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An export's .jsonl.gz had every line skipped as "not UTF-8 text"; a cut-short one would then be a traceback.
    import gzip

    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    rows = "".join(json.dumps({"id": i, "text": f"avoid {i}", "sentiment": "negative"}) + "\n" for i in range(400))
    packed = gzip.compress(rows.encode("utf-8"))
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(packed)
    classified = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert classified.exit_code == 0 and classified.stderr == ""
    assert [r["id"] for r in _lines(classified.stdout)] == list(range(400))
    evaluated = runner.invoke(app, ["evaluate", "-", "--json"], input=packed)
    assert _lines(evaluated.stdout)[0]["sentiment"]["n"] == 400
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[:len(packed) // 2])
    result = runner.invoke(app, ["evaluate", str(cut)])
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception).startswith(f"{cut}: the gzip data is cut short or damaged (")


def test_a_whole_file_json_document_is_named_with_how_to_make_json_lines_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A .json export (an array, or pretty-printed) had each line named "not valid JSON" and nothing more.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    rows = [{"text": "avoid them", "sentiment": "negative"}, {"text": "b", "moment": "none"}]
    for content, hint in ((json.dumps(rows), "this looks like one JSON array, not one object per line: jq -c '.[]' "),
                          (json.dumps(rows, indent=2), "this looks like one JSON array"),
                          (json.dumps({"data": rows}, indent=2), "this looks like pretty-printed JSON")):
        path = tmp_path / "export.json"
        path.write_text(content, encoding="utf-8")
        result = runner.invoke(app, ["evaluate", str(path)])
        assert isinstance(result.exception, ConfigError)
        assert hint in str(result.exception)
    plain = _write_lines(tmp_path / "plain.jsonl", ["not json"])
    assert "looks like" not in str(runner.invoke(app, ["classify", "--jsonl", str(plain)]).exception)


def test_classify_output_stays_json_whatever_numbers_a_line_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Python's json reads NaN, Infinity and 1e400 (as inf): an `id` of NaN came out as `"id": NaN`, which jq refuses.
    monkeypatch.setattr(classifiers, "load_classifier", lambda *a, **k: KeywordClassifier())
    path = _write_lines(tmp_path / "nan.jsonl", [
        '{"id": NaN, "text": "a"}', '{"id": [1e400], "text": "b"}',
        '{"id": 4, "score": -Infinity, "text": "avoid them"}', '{"id": 5.5, "text": "c"}'])
    result = runner.invoke(app, ["classify", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} in the output"))
           for line in result.stdout.splitlines()]
    assert [row["id"] for row in out] == [4, 5.5]
    assert result.stderr.splitlines()[:2] == [
        f"{path}:1: skipped, `id` NaN holds NaN, Infinity or a number too large, which JSON output cannot carry",
        f"{path}:2: skipped, `id` [1e400] holds NaN, Infinity or a number too large, which JSON output cannot carry",
    ]
    labels = _write_lines(tmp_path / "labels.jsonl", ['{"text": "avoid", "moment": "umot", "sentiment": NaN}'])
    scored = runner.invoke(app, ["evaluate", str(labels), "--json"])
    assert scored.exit_code == 0, scored.output
    assert scored.stderr.splitlines() == [  # a bare NaN is json.dumps of a missing value: no label, said once
        f"{labels}: NaN as a label on 1 line (line 1) read as no label, not as the moment none: that is how Python, "
        "JSON or pandas write a missing value (write the label none in lower case)"]
