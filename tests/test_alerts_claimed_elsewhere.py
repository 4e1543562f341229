"""A send claimed by a check on another machine holds it for 15 minutes: the checks meanwhile say so.

Found by reading `alerts.resend` and then trying it: a check on another machine (a second worker, another
container) claimed the alert's send to a webhook that had been down, and stopped or hung mid-send. Each
check here for the next 15 minutes (`CLAIM_EXPIRES`: it cannot see that machine's processes) sent nothing
and said nothing: "No new alerts.", exit 0, while `alerts list` called it "delivered 0/1". Real SQLite,
a real JSON webhook on 127.0.0.1 and the real `alerts check`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journeywatch.alerts import check_alerts
from journeywatch.alerts.resend import CLAIM_EXPIRES
from journeywatch.alerts.state import change_deliveries
from journeywatch.cli import app
from journeywatch.settings import DATABASE_ENV
from journeywatch.storage import open_database
from tests.alerts_demo import demo_config, load_demo
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401

runner = CliRunner()
OTHER = "jw-worker-2 pidns:4026531836"  # as `resend._machine` names a machine


def test_a_send_claimed_on_another_machine_is_named_until_its_claim_lapses_then_sent_once(
        tmp_path: Path, webhook_server: WebhookServer, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    hook = f"json://{webhook_server.host}:{webhook_server.port}/hook"
    config = demo_config(f"sqlite:///{tmp_path / 'jw.db'}", [hook])
    config.alerts.retries = 1
    engine = open_database(config.database)
    load_demo(engine, config)
    webhook_server.fail_next(2, status=503)  # down when the alert fires
    fired = datetime.now(timezone.utc) - timedelta(minutes=30)
    [alert] = check_alerts(engine, config, now=fired)
    claimed = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=4)
    # The other machine's check claimed the resend, and has not written how it went.
    change_deliveries(engine, alert.id, lambda stored: stored + [
        {"kind": "alert-claim", "target": hook, "at": claimed.isoformat(), "host": OTHER, "pid": 4242}])
    path = tmp_path / "journeywatch.yaml"
    path.write_text(yaml.safe_dump({"database": config.database, "brands": [b.model_dump() for b in config.brands],
                                    "alerts": {"window": "1h", "notify": [hook]}}), encoding="utf-8")

    checked = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "400"})
    assert checked.exit_code == 0, checked.output
    assert webhook_server.requests == []  # it holds the send: the other check may still be sending
    [line] = [line for line in checked.output.splitlines() if f"alert #{alert.id}" in line]
    lapses = claimed + CLAIM_EXPIRES
    assert line == (
        f"! alerts: Northwind Air: alert #{alert.id} (window from 2026-11-18 14:00 UTC) to {hook} was claimed by "
        f"a check on jw-worker-2 (pid 4242) at {claimed:%Y-%m-%d %H:%M} UTC, which has not said how the send "
        f"went; this machine cannot see that check, so the first check from {lapses:%Y-%m-%d %H:%M} UTC sends it "
        "(the claim lapses after 15 minutes), unless that check finishes first"), checked.output

    notes: list[str] = []
    check_alerts(engine, config, now=lapses + timedelta(seconds=1), notes=notes)  # the claim has lapsed
    assert len(webhook_server.wait_for(1)) == 1
    assert not [n for n in notes if "was claimed by" in n], notes
    assert any(re.search(rf"alert #{alert.id} .* sent to ", n) for n in notes), notes


def test_a_claim_of_a_check_on_this_machine_is_not_named_as_another_machines() -> None:
    # A check here still sending (its process is running) is no news; nor is the alert's own fresh claim.
    from journeywatch.alerts.resend import claim_record, held_elsewhere

    now = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    target = "json://127.0.0.1:9/hook"
    mine = claim_record("alert", target, now)
    assert held_elsewhere([mine], "alert", [target], now) == []
    other = {**mine, "host": OTHER}
    assert held_elsewhere([other], "alert", [target], now) == [other]
    assert held_elsewhere([other], "alert", [target], now + CLAIM_EXPIRES) == []  # lapsed: sent, not held
    assert held_elsewhere([other], "alert", ["json://127.0.0.1:10/other"], now) == []  # not a target now
