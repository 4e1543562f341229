"""A run killed (SIGKILL) while its temporary Prefect server is still starting leaves no server behind.

Found by killing `journeywatch run` at random moments: one killed 8 s in, while Prefect waited for the
new server's health check, left a uvicorn server running for good. The watchdog was started only once
the server answered, seconds after it was spawned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import _gone
from tests.test_server_guard import _command

# The run's start of the server, with a health check that never answers: the process is killed at a known
# point, after the server is spawned and before `start` returns. The server's pid is printed when spawned.
CHILD = """
import sys, time
import httpx
import prefect.server.api.server as server_module
from journeywatch.server_guard import start_guarded_server

spawn = server_module.SubprocessASGIServer._run_uvicorn_command

def spawned(self):
    process = spawn(self)
    print(process.pid, flush=True)
    return process

def never_healthy(*args, **kwargs):
    time.sleep(3600)

server_module.SubprocessASGIServer._run_uvicorn_command = spawned
httpx.Client.get = never_healthy
start_guarded_server()
"""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the server's command from /proc")
def test_a_run_killed_while_its_server_starts_leaves_no_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    run = subprocess.Popen([sys.executable, "-c", CHILD], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    server = 0
    try:
        assert run.stdout is not None
        server = int(run.stdout.readline())
        assert "uvicorn" in _command(server)
        run.kill()
        run.wait(timeout=30)
        assert _gone(server, within=30), "the Prefect server outlived the run killed while it started"
    finally:
        if run.poll() is None:
            run.kill()
        if server and "uvicorn" in _command(server):
            os.kill(server, signal.SIGKILL)  # a failed check leaves no server behind either
