"""Acceptance: what `alerts check` says of an alert sent again to a target that then refuses it for good.

Found by rehearsing the README: a mail target down when the alert fired, then back as a relay that
offers no login, printed "still not delivered ... (tried again at each check until <date>)", though a
permanent failure that reached the target is never tried again (README, Alerts; `resend._retryable`).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from journeywatch.alerts import check_alerts
from journeywatch.storage import open_database
from tests.alerts_demo import demo_config, load_demo
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401

AFTER_DEMO = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)


def test_a_resend_refused_for_good_says_it_is_not_tried_again(
    tmp_path: Path, webhook_server: WebhookServer,  # noqa: F811
) -> None:
    hook = f"json://{webhook_server.host}:{webhook_server.port}/hook"
    config = demo_config(f"sqlite:///{tmp_path / 'jw.db'}", [hook])
    config.alerts.retries = 1
    engine = open_database(config.database)
    load_demo(engine, config)
    webhook_server.fail_next(2, status=503)  # down when the alert fires: both tries refused, for now
    [alert] = check_alerts(engine, config, now=AFTER_DEMO)
    assert [d["ok"] for d in alert.deliveries] == [False]

    webhook_server.fail_next(1, status=401)  # back, and the token was revoked meanwhile
    notes: list[str] = []
    assert check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=1), notes=notes) == []
    [note] = [n for n in notes if f"alert #{alert.id}" in n]
    assert "401" in note
    assert "tried again at each check" not in note
    assert "not tried again" in note and "mend" in note

    later: list[str] = []  # and indeed it is not: no request, no note
    assert check_alerts(engine, config, now=AFTER_DEMO + timedelta(hours=2), notes=later) == []
    assert not [n for n in later if f"alert #{alert.id}" in n]
    assert webhook_server.requests == []
