"""A webhook that takes a few seconds to answer gets each alert once.

Found with a real receiver on 127.0.0.1 that answers after 5 seconds: apprise gave up reading after its
default 4, so the delivery 'failed' though the receiver had the alert; `alerts check` sent it 4 times
(retries 3), said 'not delivered ... (timed out)', exited 2, and every later check sent it once more.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from journeywatch.alerts import check_alerts
from journeywatch.storage import open_database
from tests.alerts_demo import demo_config, load_demo
from tests.servers.local import LocalHTTPServer, QuietHandler, running

AFTER_DEMO = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
SLOW = 5.0  # seconds: a busy automation service's webhook, a Teams connector on a bad day


class SlowReceiver(LocalHTTPServer):
    """Accepts every POST, and answers 200 only after `SLOW` seconds."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        owner = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server hook name
                owner.bodies.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0))))
                time.sleep(SLOW)
                self.send_response(200)
                self.end_headers()

        super().__init__(Handler, quiet_disconnects=True)


@pytest.fixture
def receiver() -> Iterator[SlowReceiver]:
    with running(SlowReceiver()) as server:
        yield server


def test_a_receiver_that_answers_after_five_seconds_gets_the_alert_once(
        tmp_path: Path, receiver: SlowReceiver) -> None:
    config = demo_config(f"sqlite:///{tmp_path / 'jw.db'}", [f"json://{receiver.host}:{receiver.port}/hook"])
    engine = open_database(config.database)
    load_demo(engine, config)

    [alert] = check_alerts(engine, config, now=AFTER_DEMO)
    assert [(d["kind"], d["ok"], d["attempts"]) for d in alert.deliveries] == [("alert", True, 1)], alert.deliveries
    assert len(receiver.bodies) == 1
