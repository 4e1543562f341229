"""A real HTTP webhook receiver on 127.0.0.1 (http.server in a thread).

Import the fixture where needed: `from tests.servers.webhook import webhook_server  # noqa: F401`.
It collects every POSTed body (parsed as JSON when it is JSON) with its path
and headers. `fail_next(n, status)` makes the next `n` requests fail, so
tests can watch retries happen against a real socket.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .local import LocalHTTPServer, QuietHandler, running


@dataclass(frozen=True, slots=True)
class Received:
    """One request as it arrived."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any  # the parsed body, or None when it was not JSON


class WebhookServer(LocalHTTPServer):
    """A running receiver: `.host`, `.port`, `.url`, `.requests`, `.bodies`, `wait_for(n)`."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.requests: list[Received] = []
        self.attempts = 0  # every request, failed ones included
        self._fail: list[int] = []
        self._arrived = threading.Condition()
        owner = self

        class Handler(QuietHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with owner._arrived:
                    owner.attempts += 1
                    status = owner._fail.pop(0) if owner._fail else 200
                    if status < 400:
                        try:
                            parsed = json.loads(body) if body else None
                        except ValueError:
                            parsed = None
                        owner.requests.append(
                            Received(self.command, self.path, dict(self.headers.items()), body, parsed)
                        )
                    owner._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}' if status < 400 else b'{"ok": false}')

            do_POST = do_PUT = _handle  # noqa: N815 - http.server hook names

        super().__init__(Handler, host)

    @property
    def url(self) -> str:
        return self.base

    @property
    def bodies(self) -> list[Any]:
        """The parsed JSON bodies of the accepted requests, in arrival order."""
        return [r.json for r in self.requests]

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next `n` requests with `status` (and do not record them as received)."""
        with self._arrived:
            self._fail.extend([status] * n)

    def wait_for(self, n: int = 1, timeout: float = 10) -> list[Received]:
        """Block until at least `n` requests were accepted; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {n} request(s) at {self.url}, got {len(self.requests)} within {timeout} s"
                    )
                self._arrived.wait(left)
            return list(self.requests)


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    """A webhook receiver on a free 127.0.0.1 port for this test, stopped afterwards."""
    with running(WebhookServer()) as server:
        yield server
