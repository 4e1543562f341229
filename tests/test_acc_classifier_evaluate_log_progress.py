"""`journeywatch evaluate` of a long file with stderr in a log: progress lines there, stdout one JSON object.

An evaluate of 100,000 lines with stderr redirected to a file ran 19 minutes without a word on stderr
(its bar is drawn on a terminal only), where `run` writes "classified 5,000 of 29,000 (1,020/s)" lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_classifier import tiny_model  # noqa: F401  (the session's tiny trained model)

pytestmark = pytest.mark.slow


def test_evaluate_into_a_log_writes_progress_lines_and_keeps_stdout_json(tmp_path: Path,
                                                                         tiny_model: Path) -> None:  # noqa: F811
    rows = [{"text": f"Is the Solis vacuum number {i} worth it?", "moment": "zero_moment", "sentiment": "neutral"}
            for i in range(1100)]
    data = tmp_path / "long.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "journeywatch", "evaluate", str(data), "--json",
                             "--model", str(tiny_model), "--backend", "torch"],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, "JOURNEYWATCH_PROGRESS_SECONDS": "0"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # one object, nothing else
    assert report["moment"]["n"] == 1100 and report["sentiment"]["n"] == 1100
    lines = [line for line in result.stderr.splitlines() if line.startswith("classified ")]
    assert lines and lines[-1].startswith("classified 1,100 of 1,100 ")
    assert "━" not in result.stderr  # no bar drawn into the log
