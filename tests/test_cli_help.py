"""Every command's --help at 80 columns (a log, a pipe, a default terminal): no option name cut short."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.test_cli import _command_paths

CLI = [sys.executable, "-m", "journeywatch"]


@pytest.mark.parametrize("path", ["", *_command_paths()])
def test_help_at_80_columns_cuts_nothing(path: str) -> None:
    """`train --help` showed "--sentiment-per-ep…": the option could not be read off the help."""
    result = subprocess.run([*CLI, *path.split(), "--help"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout, result.stdout
