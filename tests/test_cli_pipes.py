"""The CLI writing into a pipe whose reader has gone (`journeywatch ... | head -1`): quiet, status 141."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "journeywatch"]
SIGPIPE_STATUS = 141


def _into_closed_pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI with stdout a pipe nobody reads any more: every write to it fails with EPIPE.

    Buffered as a pipe normally is (PYTHONUNBUFFERED dropped): what is still buffered at the end
    fails as the command exits.
    """
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    try:
        return subprocess.run([*CLI, *args], cwd=cwd, stdout=write_end, stderr=subprocess.PIPE, text=True,
                              timeout=300, env=env)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [["--help"], ["alerts", "list", "--help"]])
def test_help_into_a_closed_pipe_stops_quietly(tmp_path: Path, args: list[str]) -> None:
    result = _into_closed_pipe(*args, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (SIGPIPE_STATUS, "")


def test_json_printed_at_the_end_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """`alerts list --json | head -1`: the list is still buffered when the command returns."""
    database = f"sqlite:///{tmp_path / 'jw.db'}"
    made = subprocess.run([*CLI, "db", "upgrade", "--database", database], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    result = _into_closed_pipe("alerts", "list", "--json", "--database", database, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (SIGPIPE_STATUS, "")


def test_classify_jsonl_into_head_stops_quietly(tmp_path: Path) -> None:
    """The shell pipeline a data engineer types: the first result arrives, then a quiet 141."""
    texts = tmp_path / "big.jsonl"
    texts.write_text("".join(json.dumps({"id": i, "text": f"they lost my bag, flight {i}"}) + "\n"
                             for i in range(2100)), encoding="utf-8")
    command = " ".join(CLI) + f" classify --jsonl {texts} | head -1; echo \"status ${{PIPESTATUS[0]}}\""
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    first, status = result.stdout.splitlines()
    assert json.loads(first)["id"] == 0
    assert status == f"status {SIGPIPE_STATUS}"
    assert result.stderr == ""
