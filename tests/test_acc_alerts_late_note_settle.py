"""The late-items note gives alerts.settle as the config writes it, and counts its items in words.

With `settle: 30m` the note said 'alerts.settle (now 0.5h) should cover how late the sources deliver': a user
raising it to '1.5h' had the config refused (durations are whole numbers with a unit); and one late item was
'1 negative share-stage item(s)'.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest

from journeywatch.alerts import check_alerts
from journeywatch.settings import Config
from journeywatch.storage import open_database
from tests.test_alerts_check import _store


def _late_note(sqlite_url: str, caplog: pytest.LogCaptureFixture, settle: str, late_items: int) -> str:
    engine = open_database(sqlite_url)
    config = Config.model_validate({"brands": [{"name": "Acme", "query": "acme"}], "database": sqlite_url,
                                    "alerts": {"settle": settle}})
    start = datetime.now(timezone.utc) - timedelta(days=9)
    _store(engine, [(start + timedelta(hours=h), "ultimate_moment", "negative") for h in range(0, 9 * 24, 9)], "h")
    now = datetime.now(timezone.utc)
    assert check_alerts(engine, config, now=now) == []
    late = now - timedelta(hours=3)
    _store(engine, [(late + timedelta(minutes=m), "ultimate_moment", "negative") for m in range(late_items)], "l")
    with caplog.at_level(logging.WARNING, logger="journeywatch.alerts"):
        check_alerts(engine, config, now=now + timedelta(hours=1, minutes=1))
    [line] = [r.getMessage() for r in caplog.records if "arrived after" in r.getMessage()]
    return line


def test_settle_is_given_as_the_config_writes_it(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    line = _late_note(sqlite_url, caplog, "30m", 1)
    assert "alerts.settle (now 30m)" in line, line
    assert "Acme: 1 negative share-stage item arrived after its window was judged" in line, line


def test_several_late_items_and_no_settle(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    line = _late_note(sqlite_url, caplog, "0m", 3)
    assert "Acme: 3 negative share-stage items arrived after their window was judged" in line, line
    assert "alerts.settle (now 0m)" in line, line
