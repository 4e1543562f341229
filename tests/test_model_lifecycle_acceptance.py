"""The model lifecycle as a data engineer runs it: train on a file of one's own, reclassify, card."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from journeywatch.classifiers import load_classifier
from journeywatch.cli import app
from journeywatch.storage import open_database
from tests.alerts_demo import demo_config, load_demo
from tests.test_classifier import tiny_model, write_tiny  # noqa: F401 - tiny_model is a fixture

runner = CliRunner()

# reclassify, stopped by SIGTERM (a cron `timeout`, a service stop) once its first batch is stored
_STOPPED_AFTER_A_BATCH = """
import os, signal, sys
import journeywatch.flows.reclassify as reclassify

real = reclassify.reclassify_stored

def stopped(engine, classifier, batch_size=256, progress=None):
    def told(done):
        if progress:
            progress(done)
        os.kill(os.getpid(), signal.SIGTERM)
    return real(engine, classifier, 4, progress=told)

reclassify.reclassify_stored = stopped
from journeywatch.cli import main
sys.argv = ["journeywatch", *sys.argv[1:]]
main()
"""


def test_reclassify_stopped_by_sigterm_says_what_was_kept(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    """SIGTERM midway ended it with exit 143 and not a word (Ctrl-C said what was kept and how to carry on)."""
    url = f"sqlite:///{tmp_path / 'jw.db'}"
    stored = load_demo(open_database(url), demo_config(url))
    version = load_classifier(tiny_model).version
    args = ["reclassify", "--database", url, "--model", str(tiny_model)]
    result = subprocess.run([sys.executable, "-c", _STOPPED_AFTER_A_BATCH, *args], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 143, result.stderr
    assert "interrupted; what was stored so far is kept" in result.stderr
    assert "Traceback" not in result.stderr
    with open_database(url).connect() as connection:
        done = connection.execute(text("SELECT count(*) FROM classifications WHERE model_version = :v"),
                                  {"v": version}).scalar()
        rows, distinct = connection.execute(text("SELECT count(*), count(DISTINCT mention_id) "
                                                 "FROM classifications")).one()
    assert 0 < done < stored and rows == distinct == stored
    again = subprocess.run([sys.executable, "-m", "journeywatch", *args], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"reclassified {stored - done} items with {version}")


def test_train_refuses_an_out_that_is_a_file_before_training(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """--out naming a file: refused only after the whole training ran (hours on the full data)."""
    import journeywatch.classifiers.training as training

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("trained before refusing --out")

    monkeypatch.setattr(training, "train_model", never)
    out = tmp_path / "model"
    out.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["train", "--data", str(write_tiny(tmp_path / "tiny.jsonl")), "--no-corpus",
                                 "--no-benchmarks", "--out", str(out), "--no-card"])
    assert result.exit_code == 1, result.output
    assert "is a file, in the way" in str(result.exception)


def test_train_refuses_a_benchmarks_folder_that_is_not_there(tmp_path: Path) -> None:
    """A mistyped --benchmarks (or no ../shared/benchmarks) trained on the rest without a word, exit 0."""
    data = write_tiny(tmp_path / "tiny.jsonl")
    result = runner.invoke(app, ["train", "--data", str(data), "--no-corpus", "--benchmarks",
                                 str(tmp_path / "nowhere"), "--out", str(tmp_path / "m"), "--no-card"])
    assert result.exit_code == 1
    message = str(result.exception)
    assert "nowhere" in message and "--no-benchmarks" in message
    assert not (tmp_path / "m").exists()


def test_card_refuses_a_missing_benchmarks_folder_and_names_the_sets_left_out(
        tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    """Without the benchmarks, card wrote a card of one set of four, exit 0, and said nothing of the other three."""
    import shutil

    model = shutil.copytree(tiny_model, tmp_path / "model")
    card = (model / "MODEL_CARD.md").read_text(encoding="utf-8")
    mistyped = runner.invoke(app, ["card", "--model", str(model), "--benchmarks", str(tmp_path / "nowhere")])
    assert mistyped.exit_code == 1
    assert "nowhere" in str(mistyped.exception) and "--benchmarks" in str(mistyped.exception)
    assert (model / "MODEL_CARD.md").read_text(encoding="utf-8") == card
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["card", "--model", str(model), "--benchmarks", str(tmp_path / "empty")])
    assert result.exit_code == 0, result.output
    assert "not measured" in result.output and "empty" in result.output
    for name in ("tweeteval-test", "airline", "real-posts-holdout"):
        assert name in result.output


def test_train_on_one_label_only_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line 'first_moment' and 'positive': a model giving those to every text, dev figures 1.0, no word."""
    import json

    import journeywatch.classifiers.training as training

    def stop(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stopped before training")

    monkeypatch.setattr(training, "train_model", stop)
    data = tmp_path / "one.jsonl"
    data.write_text("".join(json.dumps({"text": f"just bought item {i} in the shop", "moment": "first_moment",
                                        "sentiment": "positive"}) + "\n" for i in range(20)), encoding="utf-8")
    result = runner.invoke(app, ["train", "--data", str(data), "--no-corpus", "--no-benchmarks",
                                 "--out", str(tmp_path / "m"), "--no-card"])
    assert "stopped before training" in str(result.exception)
    assert "every moment label to train on is 'first_moment'" in result.output
    assert "every sentiment label to train on is 'positive'" in result.output


def test_train_no_card_over_a_model_folder_leaves_no_card_of_the_old_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old MODEL_CARD.md stayed beside the new weights, naming the old version and its figures."""
    import journeywatch.classifiers.training as training

    def fake_train(dataset, folder, options, log):  # type: ignore[no-untyped-def]
        return training.TrainResult(config=None, dev={})  # type: ignore[arg-type]

    monkeypatch.setattr(training, "train_model", fake_train)
    out = tmp_path / "m"
    out.mkdir()
    (out / "MODEL_CARD.md").write_text("Version `jw-0.1.0+old`", encoding="utf-8")
    result = runner.invoke(app, ["train", "--data", str(write_tiny(tmp_path / "tiny.jsonl")), "--no-corpus",
                                 "--no-benchmarks", "--out", str(out), "--no-card"])
    assert result.exit_code == 0, result.output
    assert not (out / "MODEL_CARD.md").exists()
    assert "described the model this replaced" in result.output and "journeywatch card --model" in result.output


def test_saved_weights_are_readable_as_the_config_beside_them(tmp_path: Path) -> None:
    """safetensors wrote weights.safetensors 0600 whatever the umask (config.json 0644): a worker running as
    another user could read the config of a model trained with `train --out` and not its weights."""
    import os
    import stat

    from journeywatch.classifiers.encoder import load_base_encoder
    from journeywatch.classifiers.files import CONFIG, WEIGHTS, ModelConfig, save_model
    from journeywatch.classifiers.network import upper_from_base
    from journeywatch.domain import MOMENTS, SENTIMENTS

    upper = upper_from_base(load_base_encoder(), 1, len(MOMENTS), len(SENTIMENTS))
    previous = os.umask(0o022)
    try:
        save_model(upper, ModelConfig(tuned_layers=1, moments=list(MOMENTS), sentiments=list(SENTIMENTS)),
                   tmp_path / "m")
    finally:
        os.umask(previous)
    modes = {name: stat.S_IMODE((tmp_path / "m" / name).stat().st_mode) for name in (CONFIG, WEIGHTS)}
    assert modes == {CONFIG: 0o644, WEIGHTS: 0o644}


def test_the_card_of_a_model_trained_on_data_files_names_the_set_it_measured(tiny_model: Path) -> None:  # noqa: F811
    """Trained with --data tiny.jsonl --no-corpus, its card said moments-holdout was 'own moments corpus,
    hash-held-out 20%': its figures came from the held-out lines of tiny.jsonl."""
    card = (tiny_model / "MODEL_CARD.md").read_text(encoding="utf-8")
    [line] = [line for line in card.splitlines() if line.startswith("- `moments-holdout`:")]
    assert "own moments corpus" not in line
    assert "--data `tiny.jsonl`" in line and "hash-held-out 20%" in line
