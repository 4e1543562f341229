"""A run whose PostgreSQL went away mid-run, as the next run tells of it.

Found cutting the connection to PostgreSQL during `journeywatch run` (3,600 feed items): that run ended with
its one-line error and could not record its end, and the next run said "! run 2 ... never finished: its process
was killed (SIGKILL, the OOM killer, a reboot)", sending whoever reads it after the OOM killer for a process
that had exited 1 on a database outage. Here a process starts a run on a connection through a local relay,
the relay is cut, its `finish_run` fails and it exits; then `journeywatch run` is run on the database directly.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from journeywatch.cli import app
from tests.servers.relay import Relay

pytestmark = pytest.mark.postgres

_LOSES_ITS_DATABASE = """
import sys
from sqlalchemy.exc import DBAPIError
from journeywatch.storage import open_database, start_run
from journeywatch.storage.runs import finish_run
engine = open_database(sys.argv[1])
run_id = start_run(engine, "monitor")
print(run_id, flush=True)
sys.stdin.readline()  # the relay is cut meanwhile
try:
    finish_run(engine, run_id, "interrupted", {})
except DBAPIError:
    sys.exit(1)
"""


def test_the_next_run_does_not_say_a_run_that_lost_its_database_was_killed(
        prefect_harness: None, postgres_url: str, tmp_path: pytest.TempPathFactory) -> None:
    relay = Relay(postgres_url)
    relayed = relay.url()
    lost = subprocess.Popen([sys.executable, "-c", _LOSES_ITS_DATABASE, relayed], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    run_id = int(lost.stdout.readline())  # type: ignore[union-attr]
    relay.cut()
    lost.communicate("\n", timeout=60)
    assert lost.returncode == 1

    config = tmp_path / "jw.yaml"  # type: ignore[operator]
    config.write_text(f"database: {postgres_url}\nbrands: [{{name: Acme, query: acme}}]\nalerts: {{enabled: false}}\n",
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(config)], env={"COLUMNS": "300"})

    assert result.exit_code == 0, result.output
    notice = next(line for line in result.output.splitlines() if line.startswith(f"! run {run_id} "))
    assert "lost its database" in notice, notice
