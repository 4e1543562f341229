"""`evaluation-data` says which sets it could not write, and why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_evaluation_data_names_the_sets_it_could_not_write(tmp_path: Path) -> None:
    """Without the shared benchmarks it wrote the corpus holdout alone and said nothing of the other three."""
    result = subprocess.run([sys.executable, "-m", "journeywatch", "evaluation-data", str(tmp_path / "out"),
                             "--benchmarks", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "moments-holdout.jsonl").is_file()
    assert "not written" in result.stderr
    for name in ("tweeteval-test", "airline", "real-posts-holdout"):
        assert name in result.stderr
