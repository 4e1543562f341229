"""Judgments older than any later check reads are forgotten, and no alert or count changes for it.

`alert_judgments` took one row per brand per check for ever. A check now
forgets those of windows before what the next check's baseline reads (less a
week's margin); items there are never counted again, and every item a later
check counts maps to the same judgment as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from journeywatch.alerts import check_alerts
from journeywatch.alerts.counts import window_counts, window_index, window_start
from journeywatch.alerts.detector import WEEK
from journeywatch.settings import Brand, Config
from journeywatch.storage import forget_engines, open_database
from journeywatch.storage.tables import alert_judgments
from tests.test_alerts_check import _store
from tests.test_alerts_late_items import _burst, _steady

DAY = timedelta(days=1)
DAYS = 45  # daily checks
BASE = window_start(window_index(datetime.now(timezone.utc), DAY) - DAYS - 2, DAY)


def _config(database_url: str) -> Config:
    return Config(brands=[Brand(name="Acme", query="acme")], database=database_url,
                  alerts={"window": "1d", "baseline_weeks": 1, "min_history": 0})


def _judgments(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(alert_judgments).order_by("judged_until"))]


def _daily_checks(engine: Engine, config: Config, keep_all: bool) -> list[tuple[Any, ...]]:
    """A check a day; after some, late items arrive for days already judged (recent and long past).

    `keep_all` puts back every judgment a check forgot: the table as it grew before.
    """
    _store(engine, _steady(BASE + DAYS * DAY, DAYS) + _burst(BASE + 40 * DAY, 30), "t")
    seen: list[tuple[Any, ...]] = []
    fired = []
    for day in range(1, DAYS):
        fired += check_alerts(engine, config, now=BASE + day * DAY + timedelta(minutes=1))
        seen += [row for row in _judgments(engine) if row not in seen]
        kept = set(_judgments(engine))
        if keep_all and (forgotten := [row for row in seen if row not in kept]):
            with engine.begin() as connection:
                connection.execute(alert_judgments.insert(), [
                    {"brand": b, "judged_until": u, "judged_at": a} for b, u, a in forgotten])
        if day % 4 == 0:  # late: two days back (within every baseline) and twenty (before any)
            late = [(BASE + (day - back) * DAY + timedelta(hours=h), "ultimate_moment", "negative")
                    for back in (2, 20) if day >= back for h in range(0, 24, 2)]
            _store(engine, late, f"late{day}")
    return [(a.window_start, a.observed, a.expected, a.p_value, a.share_items) for a in fired]


def test_daily_checks_keep_only_the_judgments_later_checks_read(database_url: str) -> None:
    engine = open_database(database_url)
    _daily_checks(engine, _config(database_url), keep_all=False)
    rows = _judgments(engine)
    until = rows[-1][1]
    needed = until - WEEK - 2 * DAY  # the next check's baseline, one window early
    assert len(rows) < DAYS // 2
    assert all(row[1] > needed - WEEK for row in rows)  # the margin: a week before that
    assert min(row[1] for row in rows) <= needed  # and no less


def test_alerts_and_counts_are_the_same_as_with_every_judgment_kept(tmp_path: Path) -> None:
    results = []
    for keep_all in (False, True):
        url = f"sqlite:///{tmp_path / f'{keep_all}.db'}"
        engine = open_database(url)
        fired = _daily_checks(engine, _config(url), keep_all)
        with engine.connect() as connection:
            kept = connection.execute(select(func.count()).select_from(alert_judgments)).scalar_one()
        until = _judgments(engine)[-1][1]
        stop = window_index(until, DAY)
        counts = window_counts(engine, "Acme", DAY, stop - 8, stop, judged_until=until)
        results.append((fired, counts.negative.tolist(), counts.share.tolist(), kept))
        forget_engines()
    (pruned, *pruned_counts, kept_pruned), (every, *every_counts, kept_every) = results
    assert kept_pruned < kept_every == DAYS - 1
    assert pruned == every and len(pruned) == 1
    assert pruned_counts == every_counts
