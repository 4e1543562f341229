"""Ctrl-C in a terminal: the signal goes to the run's whole process group, not to the run alone."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.feeds import FeedServer, feed_server  # noqa: F401
from tests.test_cli import CLI, _children, _gone, run_reading_a_slow_feed


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
def test_ctrl_c_to_the_process_group_ends_a_run_cleanly(tmp_path: Path, feed_server: FeedServer) -> None:
    """The temporary Prefect server got the terminal's SIGINT too and stopped at once: the run then retried
    recording its crash with it for some 90 seconds and ended in an httpx.ConnectError traceback, exit 1."""
    run = run_reading_a_slow_feed(tmp_path, feed_server, start_new_session=True)  # a terminal's job
    try:
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


@contextlib.contextmanager
def _silent_server() -> Iterator[tuple[int, threading.Event]]:
    """A TCP port on 127.0.0.1 that accepts connections and never says a word; yields (port, accepted)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            held.append(listener.accept()[0])
            accepted.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        listener.close()
        for connection in held:
            connection.close()
        thread.join(timeout=10)


def test_ctrl_c_in_a_command_that_stores_nothing_promises_nothing(tmp_path: Path) -> None:
    """Ctrl-C outside a command's own handling said "what was stored so far is kept, and running the command
    again carries on from there" after any command: untrue of `alerts list`, `evaluate` and the like."""
    with _silent_server() as (port, accepted):
        listing = subprocess.Popen([*CLI, "alerts", "list", "--database", f"postgresql://jw@127.0.0.1:{port}/jw"],
                                   cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert accepted.wait(timeout=120), "the command never connected"
            listing.send_signal(signal.SIGINT)  # it waits for the database server's first word
            out, err = listing.communicate(timeout=60)
        finally:
            if listing.poll() is None:
                listing.kill()
    assert (listing.returncode, out, err) == (130, "", "Error: interrupted\n")
