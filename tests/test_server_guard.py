"""A run killed outright (SIGKILL: the OOM killer, `timeout -s KILL`) leaves no Prefect server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.servers.feeds import Failure, FeedServer, Route, feed_server  # noqa: F401
from tests.test_cli import CLI, _children, _gone


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
def test_a_killed_run_leaves_no_prefect_server_behind(tmp_path: Path, feed_server: FeedServer) -> None:
    """SIGKILL skips every cleanup of the run's own: its temporary Prefect server used to live on for good."""
    feed_server.routes["/slow"] = Route(b"", failures=[Failure(200, delay=10)])  # the run is busy reading it
    (tmp_path / "k.yaml").write_text(
        "database: sqlite:///k.db\nbrands: [{name: A, query: acme}]\n"
        f"sources: [{{name: slow, kind: feed, url: '{feed_server.url('/slow')}', timeout: 90}}]\n", encoding="utf-8")
    run = subprocess.Popen([*CLI, "run", "--config", "k.yaml"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    servers: list[int] = []
    try:
        deadline = time.monotonic() + 180
        while not feed_server.hits("/slow") and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        assert feed_server.hits("/slow"), "the run never reached the feed"
        servers = [pid for pid in _children(run.pid) if "uvicorn" in _command(pid)]
        run.kill()
        run.wait(timeout=30)
        assert len(servers) == 1
        assert _gone(servers[0], within=20), "the temporary Prefect server outlived its killed run"
    finally:
        if run.poll() is None:
            run.kill()
        for pid in servers:
            if "uvicorn" in _command(pid):
                os.kill(pid, signal.SIGKILL)  # a failed check leaves no server behind either
