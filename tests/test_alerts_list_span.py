"""`alerts list` shows how long a spike lasted, not only the window that first raised it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.alerts.state import extend_alert, recent_alerts
from journeywatch.cli import app
from journeywatch.settings import DATABASE_ENV
from journeywatch.storage import open_database
from tests.test_alerts_cli import demo_config_file

runner = CliRunner()


def demo_alert_flagged_until(last_window_end: datetime, sqlite_url: str, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch, alerts: dict[str, object]) -> tuple[Path, int]:
    """The demo's config and the id of its one alert (raised 2026-11-18 14:00 UTC), flagged until `last_window_end`,
    as the checks of the next hours leave it while the spike stays flagged."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, alerts)
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 0
    engine = open_database(sqlite_url)
    (alert,) = recent_alerts(engine)
    with engine.begin() as connection:
        extend_alert(connection, alert.id, last_window_end)
    return path, alert.id


def test_a_spike_flagged_for_three_more_hours_lists_until_its_last_window(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = demo_alert_flagged_until(datetime(2026, 11, 18, 18, 0, tzinfo=timezone.utc), sqlite_url, tmp_path,
                                       monkeypatch, {"window": "1h", "notify": ["file://out/alerts.log"]})

    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "120"})
    assert listed.exit_code == 0, listed.output
    assert "2026-11-18 14:00–18:00 UTC" in listed.output, listed.output


def test_since_lists_a_spike_begun_the_day_before_and_still_flagged_on_that_day(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Picked by the window that raised it, a spike of the 18th flagged into the 19th was left out of
    # `--since 2026-11-19`, while the weekly digest lists it in every week its span overlaps.
    path, alert_id = demo_alert_flagged_until(datetime(2026, 11, 19, 2, 0, tzinfo=timezone.utc), sqlite_url,
                                              tmp_path, monkeypatch, {"window": "1h"})
    wide = {"COLUMNS": "200"}

    listed = runner.invoke(app, ["alerts", "list", "--config", str(path), "--since", "2026-11-19"], env=wide)
    assert listed.exit_code == 0, listed.output
    assert f"#{alert_id} Northwind Air  2026-11-18 14:00–2026-11-19 02:00 UTC" in listed.output, listed.output
    after = runner.invoke(app, ["alerts", "list", "--config", str(path), "--since", "2026-11-19T02:00"], env=wide)
    assert after.output.startswith("No alerts in "), after.output  # its last flagged window ended then
