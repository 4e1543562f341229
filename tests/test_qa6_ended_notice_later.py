"""An ended notice that a later check sends, and a target does not get, is said and fails the check.

With hourly runs an alert goes out in one check and its ended notice (`notify_ended`) in another, once the
cooldown has passed. That check returned only the alerts it raised, so a failed ended notice was printed
by neither `alerts check` (it said "No new alerts." and exited 0) nor `run` (`--strict` passed).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.alerts import check_alerts, recent_alerts
from journeywatch.cli import app
from journeywatch.settings import DATABASE_ENV, load_config
from journeywatch.storage import open_database
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401
from tests.test_alerts_check import SPIKE
from tests.test_alerts_cli import demo_config_file

runner = CliRunner()


def _alerted_then_hook_down(sqlite_url: str, folder: Path, hook: WebhookServer) -> tuple[Path, int, str]:
    """The demo spike alerted (and delivered) by a check right after it; the hook then answers 503."""
    target = f"json://{hook.host}:{hook.port}/hook"
    path = demo_config_file(sqlite_url, folder, {"window": "1h", "retries": 0, "notify_ended": True,
                                                 "notify": [target]})
    [alert] = check_alerts(open_database(sqlite_url), load_config(path), now=SPIKE + timedelta(hours=1, minutes=5))
    assert alert.status == "active" and [(d["kind"], d["ok"]) for d in alert.deliveries] == [("alert", True)]
    hook.fail_next(5)
    return path, alert.id, target


def test_alerts_check_names_a_failed_ended_notice_and_exits_2(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path, alert_id, target = _alerted_then_hook_down(sqlite_url, tmp_path, webhook_server)

    result = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "300"})
    assert webhook_server.attempts == 2  # the alert, then its ended notice (refused)
    [stored] = recent_alerts(open_database(sqlite_url))
    assert stored.status == "ended" and [(d["kind"], d["ok"]) for d in stored.deliveries][-1] == ("ended", False)
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.output.splitlines() if "not delivered" in line]
    assert line.startswith(f"ended notice not delivered to {target}: ")
    assert line.endswith(f"(Northwind Air, alert #{alert_id})")


def test_the_monitor_summary_counts_a_failed_ended_notice_as_undelivered(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    from journeywatch.flows.monitor import alerts_task

    monkeypatch.chdir(tmp_path)
    path, alert_id, target = _alerted_then_hook_down(sqlite_url, tmp_path, webhook_server)

    result = alerts_task.fn(load_config(path))
    assert result["fired"] == [] and webhook_server.attempts == 2
    [line] = result["undelivered"]  # what `run` prints with a ✗, and what makes `run --strict` exit 2
    assert line.startswith(f"{target}: ") and line.endswith(f"(ended notice for Northwind Air alert #{alert_id})")


def test_the_monitor_summary_tells_a_failed_ended_notice_from_the_failed_alert(sqlite_url: str, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Judged after it is over, the demo spike's alert and ended notice go out in one check: a dead target
    # gave the run summary two identical '✗ alert not delivered to json://127.0.0.1:1/hook: ...' lines.
    from journeywatch.flows.monitor import alerts_task

    monkeypatch.chdir(tmp_path)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "retries": 0, "notify_ended": True,
                                                   "notify": ["json://127.0.0.1:1/hook"]})
    result = alerts_task.fn(load_config(path))
    [alert_id] = [alert.id for alert in recent_alerts(open_database(sqlite_url))]
    first, second = result["undelivered"]
    assert first.startswith("json://127.0.0.1:1/hook: ") and "ended notice" not in first
    assert second == f"{first} (ended notice for Northwind Air alert #{alert_id})"
