"""A real SMTP server on 127.0.0.1 for delivery tests (aiosmtpd in a thread).

Import the fixture where needed: `from tests.servers.smtp import smtp_server  # noqa: F401`.
Every message that arrives is parsed with `email.policy.default`, so tests
read `msg["Subject"]`, `msg.get_body(("html", "plain")).get_content()` and
`msg.iter_attachments()` the way a mail client would.
"""

from __future__ import annotations

import email
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Collector:
    """aiosmtpd handler: keep every message, parsed, with its envelope."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()
        self.logins: list[tuple[str, str]] = []  # (user, password) of every successful AUTH

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook name
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, policy=default_policy)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SMTPServer:
    """A running SMTP receiver: `.host`, `.port`, `.messages`, `.logins`, `wait_for(n)`.

    AUTH is offered over plain text (this is 127.0.0.1) and accepts any user,
    or only `credentials` (user, password) when given, so senders that log in
    work as they would against a real relay.
    """

    def __init__(self, host: str = "127.0.0.1", credentials: tuple[str, str] | None = None,
                 offer_auth: bool = True) -> None:
        self.host = host
        self.port = free_port()
        self.credentials = credentials
        self._handler = _Collector()
        # offer_auth=False: a relay that takes mail without a login and offers no AUTH at all
        # (aiosmtpd hides AUTH until TLS when auth_require_tls, and this server never offers TLS).
        self._controller = Controller(self._handler, hostname=host, port=self.port,
                                      authenticator=self._authenticate if offer_auth else None,
                                      auth_require_tls=not offer_auth, ready_timeout=10)

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if self.credentials is not None and (user, password) != self.credentials:
            return AuthResult(success=False, handled=False)
        self._handler.logins.append((user, password))
        return AuthResult(success=True)

    @property
    def logins(self) -> list[tuple[str, str]]:
        return self._handler.logins

    @property
    def messages(self) -> list[EmailMessage]:
        return self._handler.messages

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        """(MAIL FROM, RCPT TO list) per message, in arrival order."""
        return self._handler.envelopes

    def wait_for(self, n: int = 1, timeout: float = 10) -> list[EmailMessage]:
        """Block until at least `n` messages arrived; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._handler.arrived:
            while len(self._handler.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {n} message(s) at smtp://{self.host}:{self.port}, "
                        f"got {len(self._handler.messages)} within {timeout} s"
                    )
                self._handler.arrived.wait(left)
            return list(self._handler.messages)

    def start(self) -> SMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """An SMTP server on a free 127.0.0.1 port for this test, stopped afterwards."""
    server = SMTPServer().start()
    try:
        yield server
    finally:
        server.stop()
