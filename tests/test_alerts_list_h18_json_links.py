"""`alerts list --json` gives an evidence item's link only where the digest would link it: http(s), else null.

An alert whose top item's link was `javascript:alert(1)` printed it as such under `top_items`, for a script or
dashboard to link, while the digest's JSON (which carries the same alerts) now gives null for it. Read through
the CLI, from a database made by `db upgrade` holding one such alert.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from journeywatch.alerts.state import insert_alert
from journeywatch.storage import open_database

CLI = [sys.executable, "-m", "journeywatch"]
LINKS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "https://forum.example.org/t/1", None]


def test_alerts_list_json_gives_only_http_links(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'jw.db'}"
    made = subprocess.run([*CLI, "db", "upgrade", "--database", database], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    at = datetime(2026, 11, 18, 14, tzinfo=timezone.utc)
    items = [{"text": f"avoid ({n})", "url": url, "source": "forum", "source_kind": "forum",
              "created_at": "2026-11-18T14:02:00Z"} for n, url in enumerate(LINKS)]
    with open_database(database).begin() as connection:
        insert_alert(connection, {
            "brand": "Northwind Air", "window_start": at, "window_end": at.replace(hour=15),
            "last_window_end": at.replace(hour=15), "status": "ended", "observed": 16, "expected": 0.2, "ratio": 80.0,
            "p_value": 1e-20, "model": "poisson", "windows": 1, "negative_share": 1.0, "share_items": 16,
            "evidence": {"top_items": items, "sources": {"forum": 16}}, "deliveries": [], "created_at": at,
            "ended_at": at.replace(hour=15)})
    listed = subprocess.run([*CLI, "alerts", "list", "--database", database, "--since", "2026-11-01", "--json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    [alert] = json.loads(listed.stdout)
    assert [i["url"] for i in alert["top_items"]] == [None, None, "https://forum.example.org/t/1", None]
    assert [i["text"] for i in alert["top_items"]] == [f"avoid ({n})" for n in range(len(LINKS))]
