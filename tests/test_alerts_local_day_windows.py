"""Day-long alert windows are cut at midnight in `digest.timezone`, where the brand manager's days end.

Found with `window: 1d` and `digest.timezone: Atlantic/Azores` (UTC-1 in winter): a spike of complaints on
Sunday 22 Nov from 22:00 local time was counted in the UTC day, which began at 23:00 on Saturday there,
and the digest listed it as "Sat 21 Nov 23:00": a spike on Saturday, to a reader who had seen none.
Real SQLite and PostgreSQL (the SQL cuts the windows), the alerts demo plus the Sunday-evening complaints, checked as the hourly runs check.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journeywatch.alerts import recent_alerts
from journeywatch.cli import app
from journeywatch.settings import DATABASE_ENV, load_config
from journeywatch.storage import open_database
from tests.test_alerts_cli import demo_config_file
from tests.test_fix2_alerts_span_count import _check, _complaints

runner = CliRunner()
SUNDAY_22_LOCAL = datetime(2026, 11, 22, 23, 0, tzinfo=timezone.utc)  # 22:00 in the Azores (UTC-1)


def _config(sqlite_url: str, tmp_path: Path, zone: str) -> Path:
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1d"})
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["digest"] = {"timezone": zone}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def _los_angeles_spike(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: datetime,
                       tag: str) -> Path:
    """16 complaints from `at` on, judged by hourly `alerts check`s over three days from `at`'s UTC midnight,
    with `window: 1d` in America/Los_Angeles; the config's path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = _config(sqlite_url, tmp_path, "America/Los_Angeles")
    _complaints(at, 16, tag)
    midnight = at.replace(hour=0, minute=0)
    for hours in range(72):
        _check(path, midnight + timedelta(hours=hours))
    return path


def _fired(path: Path, folder: Path, week: str) -> list[str]:
    """The lines of the Markdown digest's 'Alerts fired' for Northwind Air in `week`."""
    out = folder / week
    result = runner.invoke(app, ["digest", "--config", str(path), "--brand", "Northwind Air", "--week", week,
                                 "--out", str(out), "--no-send"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    return md.split("## Alerts fired\n\n")[1].split("\n\n")[0].splitlines()


def test_a_sunday_evening_spike_is_reported_on_sunday_in_the_digest_zone(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = _config(database_url, tmp_path, "Atlantic/Azores")
    _complaints(SUNDAY_22_LOCAL, 16, "sunday")  # 22:01 to 23:16 local time: one Sunday evening
    for hours in range(24, 24 * 3, 1):  # the hourly runs from Sunday 00:00 UTC on
        _check(path, datetime(2026, 11, 21, 0, 0, tzinfo=timezone.utc) + timedelta(hours=hours))

    engine = open_database(load_config(path).database)
    sunday = [a for a in recent_alerts(engine, brand="Northwind Air") if a.window_start.day in (21, 22, 23)]
    assert len(sunday) == 1, [a.summary_line() for a in sunday]
    [alert] = sunday
    local_midnight = datetime(2026, 11, 22, 1, 0, tzinfo=timezone.utc)  # Sunday 00:00 in the Azores
    assert alert.window_start.replace(tzinfo=timezone.utc) == local_midnight
    assert alert.observed == 16  # the whole evening in one window: none of it cut off at UTC midnight

    out = tmp_path / "digests"
    result = runner.invoke(app, ["digest", "--config", str(path), "--brand", "Northwind Air", "--week", "2026-W47",
                                 "--out", str(out), "--no-send"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    fired = md.split("## Alerts fired\n\n")[1].split("\n\n")[0].splitlines()
    assert any(line.startswith("- Sun 22 Nov 00:00") for line in fired), fired
    # The day window whole, as `alerts list` gives it: '00:00' alone read as a spike at midnight.
    assert any(line.startswith("- Sun 22 Nov 00:00–Mon 23 Nov 00:00 -01: 16 negative") for line in fired), fired
    assert not any(line.startswith("- Sat") for line in fired), fired


def test_day_windows_stay_utc_days_without_a_zone_and_hours_stay_on_the_hour(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeywatch.alerts.counts import EPOCH, window_origin

    assert (window_origin(timedelta(days=1), "UTC") - EPOCH) % timedelta(days=1) == timedelta(0)
    assert window_origin(timedelta(weeks=1), "UTC").weekday() == 0
    assert window_origin(timedelta(hours=1), "America/New_York") == EPOCH
    # Winter time all year: New York's days from 05:00 UTC (00:00 EST, 01:00 EDT in summer), Sydney's from 14:00.
    assert (window_origin(timedelta(days=1), "America/New_York") - EPOCH) % timedelta(days=1) == timedelta(hours=5)
    assert (window_origin(timedelta(days=1), "Australia/Sydney") - EPOCH) % timedelta(days=1) == timedelta(hours=14)


def test_week_windows_run_monday_to_sunday_as_the_digests_weeks(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted from the epoch, a Thursday, `window: 1w` ran Thursday to Thursday: the demo's Wednesday spike was
    # reported as '2026-11-05 00:00–2026-11-19 00:00 UTC', two weeks from a Thursday, beside the digest's
    # Monday-to-Sunday weeks.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1w", "cooldown": 0, "notify_ended": True})
    _check(path, datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc))
    engine = open_database(load_config(path).database)
    [alert] = recent_alerts(engine, brand="Northwind Air")
    assert alert.window_start.weekday() == 0 and alert.window_start.hour == 0, alert.summary_line()
    assert alert.window_start.date() <= datetime(2026, 11, 18).date() < alert.window_end.date()


def test_a_day_window_on_the_day_the_clocks_change_is_listed_whole_with_each_ends_zone(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found with `window: 1d` in America/Los_Angeles: a spike of complaints on Sunday 1 Nov 2026, the day the
    # clocks went back, was listed in the W44 digest as 'Sun 1 Nov 01:00 PDT' alone: the window, 01:00 PDT to
    # Monday 00:00 PST, is 24 hours but 23 by the wall clock, so it was taken for less than a day and read as
    # a spike at one in the morning. Lord Howe's half-hour spring-forward day (Sun 4 Oct) was listed
    # 'Sun 4 Oct 00:00–Mon 5 Oct 00:30 +11', its start named by the end's offset: 23:30 UTC's 00:00, not 13:30's.
    from reports.fired_alerts import alert_summary

    # Sun 1 Nov 10:01 PST on
    path = _los_angeles_spike(sqlite_url, tmp_path, monkeypatch, datetime(2026, 11, 1, 18, 0, tzinfo=timezone.utc),
                              "fallback")
    fired = _fired(path, tmp_path, "2026-W44")
    assert any(line.startswith("- Sun 1 Nov 01:00 PDT–Mon 2 Nov 00:00 PST: ") for line in fired), fired

    spring = {"window_start": datetime(2026, 10, 3, 13, 30, tzinfo=timezone.utc),
              "window_end": datetime(2026, 10, 4, 13, 30, tzinfo=timezone.utc),
              "last_window_end": datetime(2026, 10, 4, 13, 30, tzinfo=timezone.utc), "observed": 13}
    when, _ = alert_summary(spring, "Australia/Lord_Howe")
    assert when == "Sun 4 Oct 00:00 +1030–Mon 5 Oct 00:30 +11", when


def test_a_summer_sunday_day_window_is_not_carried_into_the_next_weeks_digest(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found with `window: 1d` in America/Los_Angeles: day windows are cut at midnight in winter time, so in
    # summer they run 01:00 PDT to 01:00 PDT. A spike of complaints at 05:00 on Sunday 25 Oct was in W43's digest
    # and again in W44's, 'Began before this week, still flagged in it', for the hour its Sunday window lies
    # past Monday's midnight: a reader looked for a Monday that had none.
    # Sun 25 Oct 05:01 PDT on
    path = _los_angeles_spike(sqlite_url, tmp_path, monkeypatch, datetime(2026, 10, 25, 12, 0, tzinfo=timezone.utc),
                              "sundaypdt")
    last_week = _fired(path, tmp_path, "2026-W43")
    assert any("–Mon 26 Oct 01:00 PDT: 16 negative" in line for line in last_week), last_week  # to Sunday's end
    this_week = _fired(path, tmp_path, "2026-W44")
    assert not any("Mon 26 Oct 01:00 PDT" in line for line in this_week), this_week
