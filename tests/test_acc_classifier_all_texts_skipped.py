"""`journeywatch classify ""`: every TEXT given was skipped, and the error said to give TEXT arguments.

`classify ""` said "TEXT argument 1: skipped, the text is empty" and then "Error: nothing to classify:
give TEXT arguments or --jsonl FILE", as if none had been given.
"""

from __future__ import annotations

import subprocess
import sys


def _classify(*texts: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "journeywatch", "classify", *texts],
                          capture_output=True, text=True, timeout=120)


def test_classify_with_every_text_skipped_says_so() -> None:
    result = _classify("", "<p><br></p>")
    assert result.returncode == 1
    assert "TEXT argument 1: skipped, the text is empty" in result.stderr
    assert "TEXT argument 2: skipped, the text is only HTML markup, no words" in result.stderr
    assert "nothing to classify: both TEXT arguments were skipped" in result.stderr
    assert "give TEXT arguments" not in result.stderr and not result.stdout
    assert "Traceback" not in result.stderr


def test_classify_with_no_text_at_all_is_still_a_usage_error() -> None:
    result = _classify()
    assert result.returncode == 2
    assert "give TEXT arguments or --jsonl FILE" in result.stderr
