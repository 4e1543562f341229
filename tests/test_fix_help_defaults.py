"""Defaults that are words, not values, show in --help (written as '[default: ...]' in the help text they vanished)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(("command", "shown"), [
    ("card", ["the shipped model", "../shared/benchmarks"]),
    ("evaluation-data", ["../shared/benchmarks"]),
    ("train", ["the shipped classifiers/model", "../shared/benchmarks", "hidden/ in ~/.cache/journeywatch"]),
    ("classify", ["the shipped model"]),
])
def test_help_names_each_default(command: str, shown: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "journeywatch", command, "--help"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "COLUMNS": "100"})
    flat = " ".join(result.stdout.replace("│", " ").split())
    for default in shown:
        assert default in flat, default
