"""PostgreSQL lost in the middle of a classification: the error says so, with no traceback beside it.

Found killing the connection to PostgreSQL while `journeywatch run` classified 3,600 feed items: stderr got
"Exception ignored in: <generator object iter_pending ...>" and 40 lines of psycopg's traceback (the claimed
batch's transaction rolled back on a dead connection when the abandoned stream was collected), before the
run's own one-line error. The connection here goes through a local TCP relay that the test closes.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from journeywatch.domain import Mention, Prediction
from journeywatch.flows.steps import classify_pending
from journeywatch.storage import open_database, store_batch
from tests.servers.relay import Relay

pytestmark = pytest.mark.postgres


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
    relay = Relay(postgres_url)
    relayed = relay.url()
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
