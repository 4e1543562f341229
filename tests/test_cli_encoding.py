"""A stdout that is not UTF-8 (a legacy locale, a cp1252 console, PYTHONIOENCODING=ascii): no traceback, no text
changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "journeywatch"]
ASCII_OUT = {**os.environ, "PYTHONIOENCODING": "ascii"}


def test_classify_on_an_ascii_stdout_writes_escaped_json_with_the_text_unchanged(tmp_path: Path) -> None:
    """The first character past ASCII ended the output in a UnicodeEncodeError traceback."""
    text = "they lost my bag ✈ at the café"
    result = subprocess.run([*CLI, "classify", text], cwd=tmp_path, capture_output=True, timeout=300, env=ASCII_OUT)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.isascii()
    [row] = [json.loads(line) for line in result.stdout.decode("ascii").splitlines()]
    assert row["text"] == text


def test_a_message_on_an_ascii_stdout_shows_what_it_cannot_encode_escaped(tmp_path: Path) -> None:
    """`init` wrote the file, then died printing its name: a traceback for a command that had worked."""
    result = subprocess.run([*CLI, "init", "acme✈.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=ASCII_OUT)
    assert result.returncode == 0, result.stderr
    assert "Wrote acme\\u2708.yaml." in result.stdout and "Traceback" not in result.stderr
    assert (tmp_path / "acme✈.yaml").is_file()
