"""`journeywatch --version`: what a bug report or a deployment check asks first."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

CLI = [sys.executable, "-m", "journeywatch"]


def test_version_prints_the_installed_version_and_exits_0() -> None:
    """It was "No such option: --version", exit 2."""
    result = subprocess.run([*CLI, "--version"], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"journeywatch {version('journeywatch')}\n", "")
