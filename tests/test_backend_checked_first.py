"""A mistyped `--backend` is refused before the input is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from journeywatch.cli import app

runner = CliRunner()


@pytest.mark.parametrize("command", [["evaluate"], ["classify", "--jsonl"]])
def test_a_wrong_backend_is_refused_before_the_file_is_read(tmp_path: Path, command: list[str]) -> None:
    # `evaluate big.jsonl --backend gpu` read the whole file first, named each unusable line on stderr
    # (and, from `-`, used up the pipe) before saying the backend was none of four.
    path = tmp_path / "lines.jsonl"
    path.write_text(json.dumps({"text": "avoid them", "sentiment": "negative"}) + "\nnot json\n",
                    encoding="utf-8")
    result = runner.invoke(app, [*command, str(path), "--backend", "gpu"], standalone_mode=False)
    assert isinstance(result.exception, typer.BadParameter), result.output  # a usage error: exit 2
    assert result.exception.exit_code == 2
    assert result.exception.format_message() == "Invalid value for '--backend': 'gpu': use one of auto, bf16, int8, torch"
    assert result.stderr == ""
