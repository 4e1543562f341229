"""A TCP relay on 127.0.0.1 in front of PostgreSQL, which a test cuts to make the database go away mid-command."""

from __future__ import annotations

import socket
import threading
from typing import Any

from sqlalchemy.engine import make_url


class Relay:
    """Relays connections to the database at `database_url`; `cut()` closes the listener and every connection."""

    def __init__(self, database_url: str) -> None:
        self._url = make_url(database_url)
        self._target = (self._url.host or "127.0.0.1", self._url.port or 5432)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, **changes: Any) -> str:
        """The database URL pointed at the relay (with any other `changes`), its password written out."""
        return self._url.set(host="127.0.0.1", port=self.port, **changes).render_as_string(hide_password=False)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass

    def cut(self) -> None:
        self._listener.shutdown(socket.SHUT_RDWR)  # closed alone, it still accepted while accept() waited
        self._listener.close()
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
