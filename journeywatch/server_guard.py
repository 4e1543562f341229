"""Tie Prefect's temporary server to the process that started it, so a killed run does not leave it behind.

Without a Prefect API URL a flow run starts a temporary server in a
subprocess and stops it at exit. An orderly exit, Ctrl-C and SIGTERM get
there; SIGKILL (the OOM killer, `timeout -s KILL`, a service manager's last
resort) does not, and every such run left a server running for good. A
watchdog process, started beside the server, stops it once the run's
process is gone.

Run as `python -m journeywatch.server_guard RUN_PID SERVER_PID`, it is that
watchdog: it imports nothing heavy and polls once a second.

The other way round, a server that dies while the run goes on (killed, out of
memory) ends the run at once with a word on what happened: see
`ending_the_run_if_the_server_dies`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

POLL_SECONDS = 1.0
_watchdogs: list[subprocess.Popen[bytes]] = []  # held, so no warning says a child was left running


def start_guarded_server() -> subprocess.Popen[Any] | None:
    """Start Prefect's temporary server now, as the flow run would, with a watchdog; return its process.

    Nothing (None) when a server is configured. The server is Prefect's own
    singleton: the run's client finds it already started and uses it, and
    Prefect still stops it at a normal exit.
    """
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None  # a real server (or none allowed): Prefect's own rules apply, nothing of ours to guard
    server = SubprocessASGIServer()
    # Guarded from its spawn, not once it answers: `start` waits seconds for the server's health check, and
    # a run killed meanwhile left the server running for good.
    with _children_in_their_own_session(then=_watch):
        server.start()
    return server.server_process


def _watch(server_pid: int) -> None:
    """Start the watchdog that stops the server `server_pid` once this process is gone."""
    _watchdogs.append(subprocess.Popen(
        [sys.executable, "-m", "journeywatch.server_guard", str(os.getpid()), str(server_pid)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl-C or a signal to the run's process group leaves the watchdog to finish
    ))


SERVER_LOST_STATUS = 1  # an error, as every command's: a cron job or a service manager sees the run failed


@contextlib.contextmanager
def ending_the_run_if_the_server_dies(
    server: subprocess.Popen[Any] | None, last_words: Callable[[str], None],
) -> Iterator[None]:
    """While inside, the temporary server's death ends this process: `last_words(how)`, then exit status 1.

    Prefect's client retries a server that was there before for about a minute a request (2, 4, 8, 16
    and 32 s apart), for the flow's state and again for its crash: a run whose server was killed sat
    some two and a half minutes (the task runs' events, then the flow run's states), then ended in an
    httpx.ConnectError traceback. Nothing can reach the flow run's record any more, so the run stops
    now: storage commits as it goes, so what was collected is kept and the next run carries on from
    there. `last_words` (run on a watcher thread) says so and records the run as interrupted. The
    block's own end, a normal one, stops the watching before Prefect stops the server at exit.
    """
    if server is None:
        yield
        return
    done = threading.Event()
    deciding = threading.Lock()  # the block's end and the watcher's verdict never cross

    def watch() -> None:
        while not done.wait(POLL_SECONDS / 2):
            with deciding:
                code = server.poll()
                if code is None or done.is_set():
                    continue
                try:
                    last_words(_how_it_ended(code))
                finally:
                    os._exit(SERVER_LOST_STATUS)  # not an exception: the main thread may be deep in Prefect's retries

    watcher = threading.Thread(target=watch, name="prefect-server-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with deciding:
            done.set()
        watcher.join(timeout=POLL_SECONDS)


def _how_it_ended(code: int) -> str:
    """A Popen return code in words: 'killed by SIGKILL', 'exited with status 3'."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


@contextlib.contextmanager
def _children_in_their_own_session(then: Callable[[int], None]) -> Iterator[None]:
    """Processes that Prefect's server module starts meanwhile (the server) get a session of their own,
    and `then(pid)` is called for each as soon as it is spawned.

    A terminal's Ctrl-C goes to the whole foreground process group: the server,
    in the run's group, stopped at once, and the interrupted run then spent some
    90 seconds retrying to record the crash with it before ending in an
    httpx.ConnectError traceback. Out of the group, it serves until the run has
    unwound and stops it at exit, as after any run (and the watchdog still
    stops it if the run is killed). Prefect builds the server's command itself,
    so its module's `subprocess` is swapped for one whose Popen adds the option.
    """
    import prefect.server.api.server as server_module

    class _OwnSession:
        def __getattr__(self, name: str) -> Any:
            return getattr(subprocess, name)

        @staticmethod
        def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:  # noqa: N802 (subprocess's name)
            process = subprocess.Popen(*args, **{"start_new_session": True, **kwargs})
            then(process.pid)
            return process

    server_module.subprocess = _OwnSession()  # type: ignore[assignment]
    try:
        yield
    finally:
        server_module.subprocess = subprocess


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def guard(run_pid: int, server_pid: int) -> None:
    """Wait until the run's process is gone, then stop the server (SIGTERM, then SIGKILL after 10 s).

    The run is this process's parent: once it is gone, this process has been
    handed to another (init or a subreaper), which a dead run's pid, perhaps
    left a zombie or reused, could not show.
    """
    while _alive(server_pid):
        if os.getppid() != run_pid:
            break
        time.sleep(POLL_SECONDS)
    else:
        return  # the server stopped first: the run ended it as usual
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 0.0)):
        try:
            os.kill(server_pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _alive(server_pid):
            time.sleep(0.1)


if __name__ == "__main__":
    guard(int(sys.argv[1]), int(sys.argv[2]))
