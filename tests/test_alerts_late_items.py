"""Items that arrive after their window was judged count in no later check: not in a baseline, not in a scan.

A late batch in an hour already judged swelled the next check's scan sums and
baseline, and held back the spike that came with it in the next hour.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from journeywatch.alerts import check_alerts
from journeywatch.alerts.counts import evidence, window_counts, window_index, window_start
from journeywatch.settings import Brand, Config
from journeywatch.storage import open_database
from journeywatch.storage.database import create_database_engine, upgrade
from journeywatch.storage.tables import alert_checks, alert_judgments, alerts
from tests.test_alerts_check import HOUR, _store


def _config(database_url: str) -> Config:
    return Config(brands=[Brand(name="Acme", query="acme")], database=database_url,
                  alerts={"window": "1h", "min_history": 0})


def _steady(first: datetime, days: int) -> list[tuple[datetime, str, str]]:
    """One share-stage item every three hours, a negative one every nine, for `days` days before `first`."""
    return [(first - timedelta(days=days) + timedelta(hours=h, minutes=10), "ultimate_moment",
             "negative" if h % 9 == 0 else "positive") for h in range(0, days * 24, 3)]


def _burst(start: datetime, count: int) -> list[tuple[datetime, str, str]]:
    return [(start + timedelta(minutes=m * 50 // count), "ultimate_moment", "negative") for m in range(count)]


def test_a_late_batch_in_a_judged_hour_does_not_hold_back_the_next_hours_spike(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_database(database_url)
    config = _config(database_url)
    _store(engine, _steady(datetime.now(timezone.utc) - HOUR, 10), "s")
    now = datetime.now(timezone.utc)  # the first check comes after those were fetched, in hour H
    hour = window_index(now, HOUR)
    judged, spiked = window_start(hour - 1, HOUR), window_start(hour, HOUR)
    assert check_alerts(engine, config, now=now) == []  # judges up to H-1
    _store(engine, _burst(judged, 24) + _burst(spiked, 22), "late")  # 24 late for H-1, 22 on time for H
    with caplog.at_level(logging.WARNING, logger="journeywatch.alerts"):
        fired = check_alerts(engine, config, now=spiked + 2 * HOUR + timedelta(minutes=1))
    assert [(a.window_start, a.observed, a.windows, a.sources) for a in fired] == [(spiked, 22, 1, {"export": 22})]
    _, sources = evidence(engine, "Acme", judged, spiked + HOUR, judged_until=spiked)
    assert sources == {"export": 22}  # an alert's evidence over both hours shows no late item either
    [note] = [r.getMessage() for r in caplog.records if "arrived after" in r.getMessage()]
    assert "Acme: 24 negative share-stage items" in note and "count towards no alert" in note


def test_items_fetched_before_each_hourly_check_count_as_they_always_did(database_url: str) -> None:
    # Hourly checks over a spike whose items all came in time: the same alert as one check judging it all.
    engine = open_database(database_url)
    config = _config(database_url)
    spike = window_start(window_index(datetime.now(timezone.utc), HOUR) - 48, HOUR)
    _store(engine, _steady(spike, 10) + _burst(spike, 12) + _burst(spike + HOUR, 3), "t")
    hourly = [a for step in range(-3, 4) for a in check_alerts(engine, config, now=spike + step * HOUR)]
    with engine.begin() as connection:  # judged afresh: a first check, every window at once
        connection.execute(alerts.delete())
        connection.execute(alert_checks.delete())
    [once] = check_alerts(engine, config, now=spike + 3 * HOUR)
    assert [(a.window_start, a.observed, a.expected, a.p_value) for a in hourly] == [
        (spike, 12, once.expected, once.p_value)] and once.window_start == spike and once.observed == 12
    until = window_start(window_index(spike, HOUR) + 3, HOUR)
    first, stop = window_index(spike, HOUR) - 200, window_index(spike, HOUR) + 3
    on_time = window_counts(engine, "Acme", HOUR, first, stop, judged_until=until)
    every = window_counts(engine, "Acme", HOUR, first, stop)
    assert on_time.negative.tolist() == every.negative.tolist() and on_time.share.tolist() == every.share.tolist()


def test_an_existing_watermark_becomes_the_first_judgment(sqlite_url: str) -> None:
    # A database migrated before judgments were recorded: items fetched after its last check are late.
    engine = create_database_engine(sqlite_url)
    upgrade(engine, "0003")
    until, at = datetime(2026, 11, 20, tzinfo=timezone.utc), datetime(2026, 11, 20, 0, 5, tzinfo=timezone.utc)
    with engine.begin() as connection:
        connection.execute(alert_checks.insert().values(brand="Acme", checked_until=until, updated_at=at))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(select(alert_judgments)).all() == [("Acme", until, at)]
