"""Ctrl-C in a terminal: the signal goes to the run's whole process group, not to the run alone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.servers.feeds import Failure, FeedServer, Route, feed_server  # noqa: F401
from tests.test_cli import CLI, _children, _gone


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
def test_ctrl_c_to_the_process_group_ends_a_run_cleanly(tmp_path: Path, feed_server: FeedServer) -> None:
    """The temporary Prefect server got the terminal's SIGINT too and stopped at once: the run then retried
    recording its crash with it for some 90 seconds and ended in an httpx.ConnectError traceback, exit 1."""
    feed_server.routes["/slow"] = Route(b"", failures=[Failure(200, delay=10)])  # the run is busy reading it
    (tmp_path / "t.yaml").write_text(
        "database: sqlite:///t.db\nbrands: [{name: A, query: acme}]\n"
        f"sources: [{{name: slow, kind: feed, url: '{feed_server.url('/slow')}', timeout: 90}}]\n", encoding="utf-8")
    run = subprocess.Popen([*CLI, "run", "--config", "t.yaml"], cwd=tmp_path, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)  # a terminal's job
    try:
        deadline = time.monotonic() + 180
        while not feed_server.hits("/slow") and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        assert feed_server.hits("/slow"), "the run never reached the feed"
        servers = _children(run.pid)
        os.killpg(run.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        out, err = run.communicate(timeout=60)  # the read in flight ends first: threads cannot be interrupted
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, err
    assert "interrupted; what was stored so far is kept" in " ".join(err.split())
    assert "Traceback" not in out + err and "Error logging" not in err
    assert servers and all(_gone(pid, within=15) for pid in servers)
    with sqlite3.connect(tmp_path / "t.db") as connection:
        assert connection.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]
