"""`alerts check` says when a brand short of `min_history` can first alert: the first window that can, and when
it is judged.

Found with `window: 1w` and `min_history: 12w` on the demo (history from Mon 21 Sep 07:10 UTC): "alerts
possible from 2026-12-14 07:10 UTC", though a window alerts only when it starts after that time, so the first
that can is the week from Mon 21 Dec, judged once it ends on 28 Dec: two weeks later than said.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from journeywatch.alerts import held_back
from journeywatch.settings import DATABASE_ENV, load_config
from journeywatch.storage import open_database
from tests.test_alerts_cli import demo_config_file

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)


def _line(sqlite_url: str, tmp_path: Path, alerts: dict[str, object]) -> str:
    config = load_config(demo_config_file(sqlite_url, tmp_path, alerts))
    lines = held_back(open_database(config.database), config, NOW)
    return next(line for line in lines if line.startswith("Northwind Air"))


def test_weekly_windows_name_the_first_week_that_can_alert_and_when_it_is_judged(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    line = _line(sqlite_url, tmp_path, {"window": "1w", "min_history": "12w"})
    assert "history since 2026-09-21 07:10 UTC" in line, line
    assert "2026-12-14" not in line, line
    assert "the first window that can alert is 2026-12-21 00:00–2026-12-28 00:00 UTC" in line, line


def test_hourly_windows_name_the_first_hour_that_can_alert(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    line = _line(sqlite_url, tmp_path, {"window": "1h", "min_history": "90d"})
    assert "the first window that can alert is 2026-12-20 08:00–09:00 UTC" in line, line
