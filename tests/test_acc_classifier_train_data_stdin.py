"""`journeywatch train --data -`: `classify` and `evaluate` read stdin as `-`, and train said "no such file".

Training reads its files twice (the check of their lines, then the training set), so stdin cannot be one;
the error now says so, as it does for a pipe, instead of a file that is not there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_train_data_dash_says_stdin_cannot_be_read_twice(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "journeywatch", "train", "--data", "-", "--no-corpus",
                             "--no-benchmarks", "--out", str(tmp_path / "m"), "--cache-dir", str(tmp_path / "c")],
                            input='{"text": "love it", "sentiment": "positive"}\n', capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 1
    assert "no such file" not in result.stderr
    assert "--data '-': standard input cannot be training data" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "m").exists()
