"""A model folder that does not exist is named as missing, not as a folder lacking files."""

from pathlib import Path

import pytest

from journeywatch.classifiers.files import read_config
from journeywatch.errors import ModelError


def test_a_missing_model_folder_is_said_to_be_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=f"^no folder {tmp_path / 'modle'} "):
        read_config(tmp_path / "modle")


def test_an_empty_model_folder_is_said_to_hold_no_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=f"^no trained model in {tmp_path} "):
        read_config(tmp_path)
