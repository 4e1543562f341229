"""`journeywatch train --epochs 1`: its progress line and its card said "1 epochs"."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeywatch.classifiers.card import render_card
from journeywatch.classifiers.files import ModelConfig
from journeywatch.cli import app
from tests.test_classifier import write_tiny


def _method_line(epochs: int) -> str:
    config = ModelConfig(tuned_layers=1, training={"options": {"epochs": epochs, "batch_size": 32},
                                                       "counts": {"train_moment": 1, "train_sentiment": 1,
                                                                  "sentiment_dev": 1, "moment_dev": 1}})
    card = render_card("jw-0.1.0+test", config, {}, "CPU")
    [line] = [line for line in card.splitlines() if "AdamW" in line]
    return line


def test_the_card_says_one_epoch_and_two_epochs() -> None:
    assert _method_line(1).startswith("- 1 epoch, batch 32")
    assert _method_line(2).startswith("- 2 epochs, batch 32")


def test_train_progress_says_one_epoch(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--data", str(write_tiny(tmp_path / "tiny.jsonl")), "--no-corpus",
                                      "--no-benchmarks", "--epochs", "1", "--tuned-layers", "1",
                                      "--out", str(tmp_path / "m"), "--cache-dir", str(tmp_path / "cache"),
                                      "--no-card"])
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("training: ")]
    assert "per epoch, 1 epoch, " in line and "epochs" not in line
    assert line.endswith(" step") or line.endswith(" steps")
    assert not line.endswith(" 1 steps")
    assert "1 epochs" not in result.output
