"""PostgreSQL lost in the middle of a classification: the error says so, with no traceback beside it.

Found killing the connection to PostgreSQL while `journeywatch run` classified 3,600 feed items: stderr got
"Exception ignored in: <generator object iter_pending ...>" and 40 lines of psycopg's traceback (the claimed
batch's transaction rolled back on a dead connection when the abandoned stream was collected), before the
run's own one-line error. The connection here goes through a local TCP relay that the test closes.
"""

from __future__ import annotations

import gc
import socket
import sys
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from journeywatch.domain import Mention, Prediction
from journeywatch.flows.steps import classify_pending
from journeywatch.storage import open_database, store_batch

pytestmark = pytest.mark.postgres


class Relay:
    """A TCP relay to PostgreSQL; `cut()` closes the listener and every connection, as a database gone away."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

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


class CutsTheDatabase:
    """A classifier that answers, and cuts the database after its second batch."""

    version = "test-cut"

    def __init__(self, relay: Relay) -> None:
        self._relay, self.batches = relay, 0

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        self.batches += 1
        if self.batches == 2:
            self._relay.cut()
        return [Prediction("none", 0.9, "neutral", 0.9, {"none": 0.9}, {"neutral": 0.9}) for _ in texts]


def test_a_database_lost_mid_classification_raises_its_error_and_nothing_is_printed_beside_it(
        postgres_url: str, capfd: pytest.CaptureFixture[str]) -> None:
    url = make_url(postgres_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relayed = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    engine = open_database(relayed)
    now = datetime.now(timezone.utc)
    store_batch(engine, [Mention("feed", f"item-{i}", f"Acme item {i}", now) for i in range(30)], source="feed")
    unraisable: list[Any] = []
    previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        with pytest.raises(DBAPIError) as raised:
            classify_pending(engine, CutsTheDatabase(relay), batch_size=10)
        del raised  # its traceback held the abandoned stream of claimed batches, which is closed now
        gc.collect()
    finally:
        sys.unraisablehook = previous
        engine.dispose()
    assert not unraisable, [str(u.exc_value) for u in unraisable]
    assert "Exception ignored" not in capfd.readouterr().err
