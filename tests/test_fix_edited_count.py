"""The run summary counts the stored items a run read again with another title or text (edited)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "journeywatch"]


def _export(path: Path, texts: list[str]) -> None:
    path.write_text("".join(json.dumps({"id": f"r{n}", "text": text, "created_at": "2026-11-20T10:00:00Z"}) + "\n"
                            for n, text in enumerate(texts)), encoding="utf-8")


def test_a_run_says_how_many_of_the_items_it_saw_again_were_edited(tmp_path: Path) -> None:
    """A review its author edited is taken and classified again, but the summary said only '3 seen'."""
    _export(tmp_path / "export.jsonl", ["acme lost my bag", "acme was fine", "acme checkout failed"])
    (tmp_path / "jw.yaml").write_text(
        "database: sqlite:///jw.db\nbrands: [{name: Acme, query: acme}]\n"
        "sources: [{name: export, kind: file, path: export.jsonl}]\nalerts: {enabled: false}\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200"}
    first = subprocess.run([*CLI, "run", "--config", "jw.yaml", "--json"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300, env=env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["sources"][0]["edited"] == 0
    _export(tmp_path / "export.jsonl", ["acme lost my bag, found it a week later", "acme was fine", "acme checkout failed"])

    second = subprocess.run([*CLI, "run", "--config", "jw.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env=env)

    assert second.returncode == 0, second.stderr
    header = next(line for line in second.stdout.splitlines() if "fetched" in line)
    row = next(line for line in second.stdout.splitlines() if "export" in line and " ok " in line)
    cells = dict(zip([c for c in header.replace("┃", " ").split()], [c for c in row.replace("│", " ").split()]))
    assert (cells["new"], cells["seen"], cells["edited"]) == ("0", "3", "1"), second.stdout


def test_the_summary_of_a_run_before_edits_were_counted_shows_none(capsys: pytest.CaptureFixture[str]) -> None:
    """A summary without the figure (a stored run's, a deployment's older worker) reads as 0 edited, not a crash."""
    from journeywatch.cli.core import print_summary

    source = {"source": "export", "status": "ok", "fetched": 3, "new": 0, "seen": 3, "skipped": 0, "unmatched": 0,
              "error": None, "warnings": []}
    print_summary({"brands": {}, "sources": [source], "classification": {"classified": 0},
                   "alerts": {"fired": [], "notes": []}})
    assert "edited" in capsys.readouterr().out
