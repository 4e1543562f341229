"""The model card's "written by `journeywatch train ...`" line must reproduce the model it describes.

A model trained with `--data FILE --no-corpus --no-benchmarks` had a card saying it was written by
`journeywatch train --seed 5 --epochs 1`: run as written, that trains on the corpus and the benchmarks,
a different model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.cli import app
from tests.test_classifier import write_tiny

pytestmark = pytest.mark.slow


def _command_line(card: Path) -> str:
    first = next(line for line in card.read_text(encoding="utf-8").splitlines() if "written by `" in line)
    return first.split("written by `", 1)[1].split("`", 1)[0]


def test_card_command_names_the_data_options_the_model_was_trained_with(tmp_path: Path) -> None:
    data = write_tiny(tmp_path / "tiny.jsonl")
    result = CliRunner().invoke(app, ["train", "--data", str(data), "--no-corpus", "--no-benchmarks",
                                      "--epochs", "1", "--tuned-layers", "1", "--seed", "5",
                                      "--out", str(tmp_path / "m"), "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    command = _command_line(tmp_path / "m" / "MODEL_CARD.md")
    assert command.startswith("journeywatch train --seed 5")
    assert "--data tiny.jsonl" in command
    assert "--no-corpus" in command and "--no-benchmarks" in command
    assert "--epochs 1" in command and "--tuned-layers 1" in command


def test_shipped_card_command_is_the_plain_default() -> None:
    from journeywatch.classifiers.card import render_card
    from journeywatch.classifiers.files import DEFAULT_MODEL_DIR, read_config

    card = render_card("jw-test", read_config(DEFAULT_MODEL_DIR), {}, "CPU")
    assert "written by `journeywatch train --seed 13`." in card


def test_card_of_a_heads_only_model_says_the_encoder_is_frozen_whole() -> None:
    # `train --tuned-layers 0`: the card said "the top 0 layers and both heads are fine-tuned together"
    from journeywatch.classifiers.card import render_card
    from journeywatch.classifiers.files import ModelConfig

    counts = {"train_moment": 1, "train_sentiment": 1, "sentiment_dev": 1, "moment_dev": 1}
    card = render_card("jw-test", ModelConfig(tuned_layers=0, training={"options": {"tuned_layers": 0},
                                                                        "counts": counts}), {}, "CPU")
    assert "top 0 layers" not in card
    assert "- All 6 encoder layers are frozen (their outputs cached once per text); only the two heads are trained" \
        in card
    four = render_card("jw-test", ModelConfig(tuned_layers=4, training={"counts": counts}), {}, "CPU")
    assert "- The bottom 2 encoder layers are frozen (their outputs cached once per text); the top 4 layers" in four
