"""A narrow terminal (a split pane, a phone, COLUMNS=40): tables keep every figure and name whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "journeywatch"]
NARROW = {**os.environ, "COLUMNS": "40"}


def test_evaluate_tables_keep_their_figures_whole_at_40_columns(tmp_path: Path) -> None:
    """Cut to 40 columns, a precision of 0.4545 showed as "0.…" and ultimate_moment as "ulti…"."""
    rows = [{"text": "they lost my bag and nobody answers", "moment": "ultimate_moment", "sentiment": "negative"},
            {"text": "thinking of booking them for march", "moment": "zero_moment", "sentiment": "neutral"},
            {"text": "the crew were lovely, great flight", "moment": "second_moment", "sentiment": "positive"}]
    (tmp_path / "eval.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    result = subprocess.run([*CLI, "evaluate", "eval.jsonl"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=NARROW)
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout, result.stdout
    for label in ("ultimate_moment", "zero_moment", "precision", "predicted"):
        assert label in result.stdout


def test_the_run_summary_keeps_counts_and_source_names_whole_at_40_columns(tmp_path: Path) -> None:
    """A count of 12345 showed as "123…": read as a number, a wrong one."""
    script = (
        "from journeywatch.cli.core import print_summary\n"
        "source = {'source': 'helpdesk-export-2026', 'status': 'ok', 'fetched': 12345, 'new': 10000, 'seen': 2345,"
        " 'skipped': 30, 'unmatched': 1200, 'error': None, 'warnings': []}\n"
        "print_summary({'brands': {'Acme': {'new': 2, 'seen': 0, 'counts': [('ultimate_moment', 'negative', 12345)]}},"
        " 'sources': [source], 'classification': {'classified': 10}, 'alerts': {'fired': [], 'notes': []}})\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env=NARROW)
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout, result.stdout
    for whole in ("helpdesk-export-2026", "12,345", "10,000", "2,345", "1,200", "ultimate_moment", "unmatched"):
        assert whole in result.stdout
