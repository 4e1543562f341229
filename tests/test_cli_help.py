"""Every command's --help, at 80 columns (a log, a pipe, a default terminal) and at 40 (a split pane, a phone):
no option name cut short."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer.main

from journeywatch.cli import app
from tests.test_cli import _command, _command_paths

CLI = [sys.executable, "-m", "journeywatch"]


@pytest.mark.parametrize("columns", [80, 40])
@pytest.mark.parametrize("path", ["", *_command_paths()])
def test_help_shows_every_option_whole(path: str, columns: int) -> None:
    """At 80 columns `train --help` showed "--sentiment-per-ep…"; at 40 `alerts list --help` "--databa…"."""
    result = subprocess.run([*CLI, *path.split(), "--help"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout, result.stdout
    command = _command(typer.main.get_command(app), path) if path else typer.main.get_command(app)
    for param in command.params:
        for name in param.opts + param.secondary_opts:
            if name.startswith("--"):
                assert name in result.stdout, f"{name} is not in `journeywatch {path} --help` at {columns} columns"
