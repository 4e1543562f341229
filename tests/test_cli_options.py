"""The main command's options given after a command's name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "journeywatch"]


def test_debug_after_the_command_says_where_it_goes(tmp_path: Path) -> None:
    """"No such option: --debug (see `journeywatch alerts list --help`)" sent the reader to a help without it."""
    result = subprocess.run([*CLI, "alerts", "list", "--debug"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert result.stderr == ("Error: No such option: --debug (--debug goes before the command: "
                             "journeywatch --debug alerts list ...)\n")


def test_version_after_the_command_says_how_to_ask_for_it(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "run", "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.endswith(" (journeywatch --version prints the version)\n"), result.stderr
