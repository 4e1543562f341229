"""What every HTTP test server here shares: bound to 127.0.0.1 on a free port, served from a thread, shut down.

`LocalHTTPServer` holds that lifecycle once; the feed, Reddit and webhook
servers subclass it and only say how they answer. `running(server)` starts a
server for a fixture and always stops it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TypeVar


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean (no access log lines)."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class JSONHandler(QuietHandler):
    """A handler that answers JSON, for the small Reddit-shaped servers single tests write."""

    def answer(self, status: int, payload: object, headers: Mapping[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class LocalHTTPServer:
    """A threaded HTTP server on a free 127.0.0.1 port: `host`, `port`, `base`, `start()`, `stop()`.

    `quiet_disconnects` drops the traceback http.server prints when a client hangs up mid-answer,
    which the timeout and size-limit tests do on purpose.
    """

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", *,
                 quiet_disconnects: bool = False) -> None:
        self._server = ThreadingHTTPServer((host, 0), handler)
        self._server.daemon_threads = True
        if quiet_disconnects:
            self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


S = TypeVar("S", bound=LocalHTTPServer)


@contextmanager
def running(server: S) -> Iterator[S]:
    """`server`, started, and stopped afterwards even when the test fails."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
