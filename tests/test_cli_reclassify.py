"""`journeywatch reclassify` in a cron job: its log gets the result line, not a drawn progress bar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from journeywatch.storage import open_database
from tests.alerts_demo import demo_config, load_demo

CLI = [sys.executable, "-m", "journeywatch"]


def test_reclassify_into_a_log_prints_the_result_and_no_bar(tmp_path: Path) -> None:
    """stderr not a terminal still got "reclassifying ━━━━━━ 497/497 0:00:00" from a bar drawn for no one."""
    url = f"sqlite:///{tmp_path / 'jw.db'}"
    stored = load_demo(open_database(url), demo_config(url))  # labelled by 'answer-key': every item is stale
    result = subprocess.run([*CLI, "reclassify", "--database", url], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"reclassified {stored} items with jw-")
