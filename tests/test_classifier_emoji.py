"""Emoji reach the encoder as words, for models trained that way, and only for them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from journeywatch.classifiers import load_classifier
from journeywatch.classifiers.encoder import emoji_as_words
from journeywatch.classifiers.files import DEFAULT_MODEL_DIR


def test_emoji_are_spelt_out_by_name_without_skin_tones() -> None:
    assert emoji_as_words("Zephyr again!!! 😡😡") == "Zephyr again!!! enraged face enraged face"
    assert emoji_as_words("bag arrived 👍🏽") == "bag arrived thumbs up"
    assert emoji_as_words("café crème, no emoji") == "café crème, no emoji"


def _model_reading_emoji(tmp_path: Path, emoji_words: bool) -> Path:
    model = tmp_path / ("words" if emoji_words else "unk")
    shutil.copytree(DEFAULT_MODEL_DIR, model)
    config = json.loads((model / "config.json").read_text(encoding="utf-8"))
    config["emoji_words"] = emoji_words
    (model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return model


def test_a_model_trained_on_emoji_as_words_reads_them_as_words(tmp_path: Path) -> None:
    """'😡' and '😍' were both [UNK]: the heads could not tell fury from delight."""
    words = load_classifier(_model_reading_emoji(tmp_path, True), backend="torch")
    angry, delighted = words.token_ids(["Zephyr 😡", "Zephyr 😍"])
    assert angry != delighted
    unk = words.tokenizer.token_to_id("[UNK]")
    assert unk not in angry and unk not in delighted


def test_an_older_model_keeps_the_input_it_was_trained_on(tmp_path: Path) -> None:
    older = load_classifier(_model_reading_emoji(tmp_path, False), backend="torch")
    angry, delighted = older.token_ids(["Zephyr 😡", "Zephyr 😍"])
    assert angry == delighted  # both [UNK], as in its training
