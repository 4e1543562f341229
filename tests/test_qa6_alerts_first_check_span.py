"""A check that judges many windows at once (the first one over an export's history, or one catching up
after the monitor was down) follows a spike as hourly checks do.

With `window: 30m` and `min_count: 4`, a burst of two items every half hour for four hours is flagged as
sums of two windows. Judged hour by hour, the alert spanned all four hours; judged in one check, only the
scan's last window was kept out of the baseline, its first (two items against ~0.02 expected) stayed in,
the baseline's dispersion exploded, and the alert "subsided" after its first hour: the ended notice said
so while the burst went on at the same rate.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from journeywatch.alerts import check_alerts, recent_alerts
from journeywatch.settings import Brand, Config
from journeywatch.storage import open_database
from journeywatch.storage.tables import alert_checks, alert_judgments, alerts
from tests.test_alerts_check import T0, _background, _store

SPIKE = T0 + timedelta(days=20, hours=16)  # a Sunday afternoon without background items at its start


def _span(engine: object) -> list[tuple[object, object]]:
    return [(a.window_start, a.last_window_end) for a in recent_alerts(engine, brand="Acme")]  # type: ignore[arg-type]


def test_one_check_over_a_spike_gives_the_span_hourly_checks_give(database_url: str) -> None:
    engine = open_database(database_url)
    burst = [(SPIKE + timedelta(minutes=15 * k + 5), "ultimate_moment", "negative") for k in range(16)]
    _store(engine, _background(28) + burst, "s")
    config = Config(brands=[Brand(name="Acme", query="acme")], database=database_url,
                    alerts={"window": "30m", "min_count": 4, "cooldown": "1h"})

    hour = SPIKE - timedelta(hours=2)
    while hour < SPIKE + timedelta(hours=8):
        check_alerts(engine, config, now=hour + timedelta(minutes=5))
        hour += timedelta(hours=1)
    assert _span(engine) == [(SPIKE, SPIKE + timedelta(hours=4))]

    with engine.begin() as connection:
        for table in (alerts, alert_checks, alert_judgments):
            connection.execute(delete(table))
    assert len(check_alerts(engine, config, now=SPIKE + timedelta(hours=8))) == 1  # all of it judged at once
    assert _span(engine) == [(SPIKE, SPIKE + timedelta(hours=4))]
