"""`journeywatch run` after a 300,000-row import: its tables said '300000 fetched', '269900 unmatched' and
'Classified 30100 new mentions', zeros to count; they read 300,000 now, and `--json` keeps numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journeywatch.cli.core import print_summary

BIG = {"source": "export", "status": "ok", "fetched": 300000, "new": 30100, "seen": 0, "edited": 0,
       "skipped": 1204, "unmatched": 268696, "withdrawn": 0, "error": None, "warnings": [], "more_warnings": 1199}


def test_the_summary_tables_write_big_counts_with_thousands_separators(capsys: pytest.CaptureFixture[str]) -> None:
    counts = [["first_moment", "negative", 12667], ["second_moment", "negative", 17433]]
    print_summary({"brands": {"Acme Air": {"new": 30100, "seen": 1500, "counts": counts,
                                           "unclassified": {"language": 2048, "pending": 0}}},
                   "sources": [dict(BIG)], "classification": {"classified": 30100, "model_version": "jw-1"},
                   "alerts": {"fired": [], "notes": []}})
    out = " ".join(capsys.readouterr().out.split())
    assert "Acme Air: 30,100 new, 1,500 already seen this run" in out
    assert "│ 12,667 │" in out and "│ 30,100 │" in out  # a cell, and the table's total
    assert "not counted: 2,048 in a language the classifier does not read" in out
    assert "│ 300,000 │ 30,100 │ 0 │ 0 │ 1,204 │ 268,696 │" in out  # the sources table: fetched ... unmatched
    assert "and 1,199 more warning(s) like these" in out
    assert "Classified 30,100 new mentions with jw-1." in out
    assert "300000" not in out and "30100" not in out


def test_small_counts_read_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    source = {**BIG, "fetched": 40, "new": 10, "skipped": 3, "unmatched": 27, "more_warnings": 0}
    print_summary({"brands": {}, "sources": [source], "classification": {"classified": 10},
                   "alerts": {"fired": [], "notes": []}})
    out = " ".join(capsys.readouterr().out.split())
    assert "│ 40 │ 10 │ 0 │ 0 │ 3 │ 27 │" in out and "Classified 10 new mentions" in out


def test_run_json_keeps_counts_as_numbers(tmp_path: Path) -> None:
    rows = [{"id": f"r{n}", "text": f"acme post {n}" if n % 2 else f"other post {n}", "created_at": "2026-11-20"}
            for n in range(2400)]
    (tmp_path / "export.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n", encoding="utf-8")
    (tmp_path / "jw.yaml").write_text(
        "database: sqlite:///jw.db\nbrands: [{name: Acme, query: acme}]\n"
        "sources: [{name: export, kind: file, path: export.jsonl}]\nalerts: {enabled: false}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "journeywatch", "run", "--config", "jw.yaml", "--json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=400, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["sources"][0]["fetched"] == 2400 and summary["sources"][0]["unmatched"] == 1200
    assert summary["classification"]["classified"] == 1200 and summary["brands"]["Acme"]["new"] == 1200
