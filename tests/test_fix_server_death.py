"""The temporary Prefect server of `journeywatch run` dying mid-run ends the run at once, saying so."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.servers.feeds import FeedServer, feed_server  # noqa: F401
from tests.test_cli import _children, run_reading_a_slow_feed
from tests.test_server_guard import _command


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
def test_a_run_whose_prefect_server_dies_stops_saying_what_was_kept(tmp_path: Path, feed_server: FeedServer) -> None:
    """Its server killed (the OOM killer, a stray `kill`), a run sat some two and a half minutes while Prefect's
    client retried the dead server, then ended in an httpx.ConnectError traceback."""
    run = run_reading_a_slow_feed(tmp_path, feed_server)
    try:
        servers = [pid for pid in _children(run.pid) if "uvicorn" in _command(pid)]
        assert len(servers) == 1
        os.kill(servers[0], signal.SIGKILL)
        try:  # the slow feed answers after ten seconds; the retries alone took over two minutes
            out, err = run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the run went on for a minute after its Prefect server was killed")
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    said = " ".join(err.split())
    assert run.returncode == 1, err
    assert said.startswith("Error: the temporary Prefect server this run started stopped in the middle of the run "
                           "(killed by SIGKILL)"), err
    assert "What was stored is kept; run the command again and it carries on from there." in said
    assert "Traceback" not in out + err
    with sqlite3.connect(tmp_path / "t.db") as connection:
        assert connection.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
