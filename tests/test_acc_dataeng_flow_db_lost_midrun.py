"""A monitor deployment's run whose PostgreSQL goes away in the middle of the run: Failed with one line.

Found scaling out with prefect.yaml's monitor-hourly on a worker: PostgreSQL lost while the sources were read
ended the flow run with Prefect's "Encountered exception during execution" traceback through flows/monitor.py
and SQLAlchemy's and psycopg's frames, twice, around `DatabaseUnavailable: the database at ... refused the run's
records: connection failed: ...`, where a database that does not answer when the run starts is that one line
(732bebb). Here the feed's server cuts the relay the run's connections go through as the feed is asked for;
the flow run is run as a worker runs it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml

from tests.servers.local import LocalHTTPServer, QuietHandler, running
from tests.servers.relay import Relay
from tests.test_acceptpg_flow_config_error import worker_run

pytestmark = pytest.mark.postgres
PASSWORD = "pw-5521-not-shown"


def _feed() -> bytes:
    date = format_datetime(datetime.now(timezone.utc))
    items = "".join(f"<item><title>Acme {i}</title><guid>acme-{i}</guid><pubDate>{date}</pubDate>"
                    f"<description>my Acme kettle {i}</description></item>" for i in range(5))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()


def test_a_database_lost_mid_run_fails_the_flow_run_with_its_one_line(prefect_harness: None, postgres_url: str,
                                                                      tmp_path: Path) -> None:
    relay = Relay(postgres_url)

    class CutsTheDatabase(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            relay.cut()  # the run has opened the database and recorded its start: it goes away now
            body = _feed()
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    relayed = relay.url(password=PASSWORD)
    with running(LocalHTTPServer(CutsTheDatabase)) as server:
        config = tmp_path / "jw.yaml"
        config.write_text(yaml.safe_dump({
            "database": relayed.replace("postgresql+psycopg://", "postgresql://"),
            "brands": [{"name": "Acme", "query": "acme"}],
            "sources": [{"name": "news", "kind": "feed", "url": f"{server.base}/feed.rss", "retries": 0}],
            "alerts": {"enabled": False}}), encoding="utf-8")
        state, output = worker_run("monitor-hourly", config, tmp_path)

    assert state is not None and state.is_failed(), (state, output)
    assert state.message is not None and state.message.startswith(
        "DatabaseUnavailable: the database at postgresql+psycopg://postgres:***@127.0.0.1:"), (state.message, output)
    assert "Encountered exception during execution" not in output, output
    assert "flows/monitor.py" not in output and "psycopg/" not in output, output
    assert PASSWORD not in output and PASSWORD not in state.message
