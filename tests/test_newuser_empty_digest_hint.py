"""An empty digest says where the brand's items are, and which `--week` shows them.

The README's quick start runs `journeywatch digest` without `--week` (the last complete week). On a
first day the items stored are this week's, and the note said only "no items for X in 2026-W47; its
digest says so": nothing told a new user their talk was in the week still running, or that their
query had matched nothing at all.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from journeywatch.domain import Mention
from journeywatch.reports.weeks import current_week
from journeywatch.storage import open_database, store_batch

CLI = str(Path(sys.executable).parent / "journeywatch")
BRAND = "Pebblebrook Coffee"


def _stored_at(sqlite_url: str, *when: datetime) -> None:
    store_batch(open_database(sqlite_url), [
        Mention(source="export", external_id=f"m{n}", text=f"Pebblebrook Coffee charged me twice {n}",
                author=f"a{n}", brands=[BRAND], created_at=at) for n, at in enumerate(when)])


def _digest(tmp_path: Path, sqlite_url: str, *week: str) -> str:
    config = tmp_path / "jw.yaml"
    config.write_text(yaml.safe_dump({"database": sqlite_url, "digest": {"timezone": "UTC"},
                                      "brands": [{"name": BRAND, "query": "pebblebrook"}]}), encoding="utf-8")
    done = subprocess.run([CLI, "digest", "--config", str(config), "--out", str(tmp_path / "d"), "--no-send", *week],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    [note] = [line for line in done.stderr.splitlines() if line.startswith("Note:")]
    return note


def test_items_only_in_the_running_week_point_at_a_partial_digest(sqlite_url: str, tmp_path: Path) -> None:
    running = current_week("UTC")
    _stored_at(sqlite_url, min(running.start_utc("UTC") + timedelta(seconds=1), datetime.now(timezone.utc)))
    note = _digest(tmp_path, sqlite_url)
    assert note.startswith(f"Note: no items for {BRAND} in {running.shift(-1).label}; its digest says so.")
    assert f"newest items are from {running.label}, the week still running: --week {running.label}" in note


def test_a_brand_with_nothing_stored_says_its_query_matched_nothing(sqlite_url: str, tmp_path: Path) -> None:
    # The database holds what its sources read, none of it the brand's (nothing collected at all is another
    # note: tests/test_acc_digest_nothing_collected.py).
    store_batch(open_database(sqlite_url), [Mention(source="export", external_id="other", text="Brewhaus is fine",
                                                    created_at=datetime.now(timezone.utc) - timedelta(days=9))])
    assert "Nothing is stored for it yet: no item collected so far matched its query" in _digest(tmp_path, sqlite_url)


def test_older_items_name_their_week(sqlite_url: str, tmp_path: Path) -> None:
    old = current_week("UTC").shift(-3)
    _stored_at(sqlite_url, old.start_utc("UTC") + timedelta(days=2))
    assert f"Its newest items are from {old.label}: --week {old.label} shows them" in _digest(tmp_path, sqlite_url)


def test_an_earlier_empty_week_points_at_latest(sqlite_url: str, tmp_path: Path) -> None:
    running = current_week("UTC")
    _stored_at(sqlite_url, running.shift(-3).start_utc("UTC") + timedelta(days=1),
               min(running.start_utc("UTC") + timedelta(seconds=1), datetime.now(timezone.utc)))
    note = _digest(tmp_path, sqlite_url, "--week", running.shift(-5).label)
    assert f"It has items in {running.shift(-3).label}, its newest finished week with data: --week latest" in note
