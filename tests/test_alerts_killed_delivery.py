"""Acceptance: `alerts check` killed (SIGKILL or SIGTERM) while an alert it stored is being delivered, then run again.

The alert row is committed with a claim per target before the send; a check killed mid-send leaves the claim.
Found by killing a real check against a receiver that stalls: the check run straight after said "No new
alerts." and sent nothing, as the claim was under 15 minutes old (`CLAIM_EXPIRES`) and so held by a check
that might still be sending; an alert whose check was killed and never run again within the hour reached no one.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from journeywatch.storage import open_database
from journeywatch.storage.tables import alerts
from tests.alerts_demo import DEMO, demo_config, load_demo
from tests.servers.local import LocalHTTPServer, QuietHandler, running
from tests.test_cli import CLI


class StallingReceiver(LocalHTTPServer):
    """A webhook that holds its first request until released (then refuses it), and accepts the rest."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.accepted: list[dict[str, object]] = []
        self.seen = 0
        owner = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server hook name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.seen += 1
                first = owner.seen == 1
                if first:
                    owner.arrived.set()
                    owner.release.wait(30)  # the check is killed meanwhile: the alert never reaches anyone
                else:
                    owner.accepted.append(json.loads(body))
                self.send_response(503 if first else 200)
                self.end_headers()

        super().__init__(Handler, quiet_disconnects=True)


@pytest.fixture
def receiver() -> Iterator[StallingReceiver]:
    server = StallingReceiver()
    with running(server):
        yield server
        server.release.set()


def _config_file(tmp_path: Path, database: str, hook: str) -> Path:
    raw = yaml.safe_load((DEMO / "journeywatch.yaml").read_text(encoding="utf-8"))
    raw["database"] = database
    raw["alerts"]["notify"] = [hook]
    raw["alerts"]["retries"] = 0
    for source in raw["sources"]:  # the demo's paths are relative to its own folder
        if "url" in source:
            source["url"] = (DEMO / source["url"].removeprefix("file://")).as_uri()
        if "path" in source:
            source["path"] = str(DEMO / source["path"])
    path = tmp_path / "journeywatch.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_check_killed_mid_send_leaves_the_alert_to_the_next_check_which_sends_it_once(
    tmp_path: Path, receiver: StallingReceiver, sig: signal.Signals, database_url: str,
) -> None:
    database = database_url  # SQLite and PostgreSQL
    hook = f"json://{receiver.host}:{receiver.port}/hook"
    config = demo_config(database, [hook])
    engine = open_database(database)
    load_demo(engine, config)
    path = _config_file(tmp_path, database, hook)

    first = subprocess.Popen([*CLI, "alerts", "check", "--config", str(path)], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert receiver.arrived.wait(120), "the check never sent its alert"
        first.send_signal(sig)  # the alert is stored; its delivery is in flight
        first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert receiver.accepted == []

    again = subprocess.run([*CLI, "alerts", "check", "--config", str(path)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(receiver.accepted) == 1, again.stdout + again.stderr  # at least once, and only once
    [body] = receiver.accepted
    assert "Northwind Air" in str(body["title"])
    text = " ".join(str(body["message"]).split())
    assert "stopped" in text and "failed" not in text, text  # it did not fail: its check was stopped
    assert "sent to json://" in " ".join(again.stdout.split())

    with engine.connect() as connection:
        [row] = connection.execute(select(alerts.c.deliveries)).all()  # one alert row, not two
    assert [(d["kind"], d["ok"]) for d in row.deliveries] == [("alert", True)]

    third = subprocess.run([*CLI, "alerts", "check", "--config", str(path)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and len(receiver.accepted) == 1  # never twice


def test_a_check_killed_sending_to_its_second_target_sends_the_first_no_second_copy(
    tmp_path: Path, receiver: StallingReceiver,
) -> None:
    # Outcomes were written once every target was done: a check killed while the second target stalled
    # left the first's claim too, and the next check sent the first target the alert again.
    database = f"sqlite:///{tmp_path / 'jw.db'}"
    log = tmp_path / "alerts.log"
    hook = f"json://{receiver.host}:{receiver.port}/hook"
    config = demo_config(database, [f"file://{log}", hook])
    engine = open_database(database)
    load_demo(engine, config)
    path = _config_file(tmp_path, database, hook)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["alerts"]["notify"] = [f"file://{log}", hook]
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")

    first = subprocess.Popen([*CLI, "alerts", "check", "--config", str(path)], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert receiver.arrived.wait(120), "the check never sent its alert"
        first.kill()
        first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert log.read_text(encoding="utf-8").count("journeywatch alert:") == 1

    again = subprocess.run([*CLI, "alerts", "check", "--config", str(path)], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(receiver.accepted) == 1
    assert log.read_text(encoding="utf-8").count("journeywatch alert:") == 1, again.stdout
    with engine.connect() as connection:
        [row] = connection.execute(select(alerts.c.deliveries)).all()
    assert sorted((d["kind"], d["ok"]) for d in row.deliveries) == [("alert", True), ("alert", True)]


def test_a_claim_from_a_same_named_machine_in_another_pid_namespace_still_holds_the_send() -> None:
    # Two containers given one host name each see their own processes only: a claim made by a check
    # running in the other looked 'gone' by its pid here, and this check sent the alert a second time.
    from datetime import datetime, timezone

    from journeywatch.alerts.resend import claim_record, pending_targets

    now = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)
    target = "json://127.0.0.1:9/hook"
    mine = claim_record("alert", target, now)
    gone_here = {**mine, "pid": 2**22 + 12345}  # above pid_max: no process of this namespace has it
    assert pending_targets([gone_here], "alert", [target], now) == [target]  # this machine's, and gone: sent
    elsewhere = {**gone_here, "host": socket.gethostname()}  # the same name, but not known to be this namespace
    assert pending_targets([elsewhere], "alert", [target], now) == []


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_check_stopped_mid_send_says_the_alert_is_kept_and_who_sends_it(
    tmp_path: Path, receiver: StallingReceiver, sig: signal.Signals, code: int,
) -> None:
    # SIGTERM ended the check with no word (the shell's 'Terminated'), Ctrl-C with 'Error: interrupted':
    # neither said that the alert was stored and that the next check would send it.
    database = f"sqlite:///{tmp_path / 'jw.db'}"
    hook = f"json://{receiver.host}:{receiver.port}/hook"
    load_demo(open_database(database), demo_config(database, [hook]))
    path = _config_file(tmp_path, database, hook)
    check = subprocess.Popen([*CLI, "alerts", "check", "--config", str(path)], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert receiver.arrived.wait(120), "the check never sent its alert"
        check.send_signal(sig)
        out, err = check.communicate(timeout=60)
    finally:
        if check.poll() is None:
            check.kill()
    said = " ".join((out + err).split())
    assert check.returncode == code, said
    assert "stored" in said and "next `journeywatch alerts check` or `journeywatch run` sends" in said, said
