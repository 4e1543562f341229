"""`journeywatch run` into a log: 29,000 pending items took six minutes without a line of output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "journeywatch"]


def test_a_run_logged_to_a_file_says_how_far_classification_has_got(tmp_path: Path) -> None:
    rows = [{"id": f"r{n}", "text": f"acme lost my bag number {n} and nobody called back", "author": "a",
             "created_at": "2026-11-20T10:00:00Z"} for n in range(600)]  # two of the run's 512-item batches
    (tmp_path / "export.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n", encoding="utf-8")
    (tmp_path / "jw.yaml").write_text(
        "database: sqlite:///jw.db\nbrands: [{name: Acme, query: acme}]\n"
        "sources: [{name: export, kind: file, path: export.jsonl}]\nalerts: {enabled: false}\n", encoding="utf-8")
    with open(tmp_path / "run.log", "w+", encoding="utf-8") as log:  # stderr a file, as under cron
        result = subprocess.run([*CLI, "run", "--config", "jw.yaml"], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=log, text=True, timeout=400,
                                env={**os.environ, "JOURNEYWATCH_PROGRESS_SECONDS": "0"})
    logged = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert result.returncode == 0, logged
    lines = [line for line in logged.splitlines() if line.startswith("classified ")]
    assert [line.split(" (")[0] for line in lines] == ["classified 512 of 600", "classified 600 of 600"], logged
    assert all(line.endswith("/s)") for line in lines)
    assert not any(mark in logged for mark in ("━", "\r", "\x1b[")), logged  # no bar, no redrawing
