"""Alert state in SQL: stored alerts, their deliveries, and each brand's check watermark.

The watermark (`alert_checks.checked_until`) says every window before it has
been judged. It is claimed with a compare-and-set in the same transaction
that stores the alerts, so two checks running at once cannot both judge a
window, and a crash before commit leaves the windows to the next check.
Each claim also records when its windows were judged (`alert_judgments`):
items fetched after that count in no later check (`counts.window_counts`);
judgments of windows older than any later check reads are then forgotten.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, Text, and_, cast, delete, func, select, update

from journeywatch.storage.dialect import insert_for
from journeywatch.storage.tables import alert_checks, alert_judgments, alerts

from .alert import Alert, EvidenceItem
from .counts import window_counts, window_index


def _alert(row: Row[Any]) -> Alert:
    evidence = row.evidence or {}
    return Alert(
        id=int(row.id), brand=row.brand, window_start=row.window_start, window_end=row.window_end,
        last_window_end=row.last_window_end, status=row.status, observed=int(row.observed),
        expected=float(row.expected), ratio=float(row.ratio), p_value=float(row.p_value), model=row.model,
        windows=int(row.windows), negative_share=row.negative_share, share_items=int(row.share_items),
        top_items=[EvidenceItem.from_dict(item) for item in evidence.get("top_items", [])],
        sources=dict(evidence.get("sources", {})), created_at=row.created_at, ended_at=row.ended_at,
        deliveries=list(row.deliveries or []),
    )


def checked_until(engine: Engine, brand: str) -> datetime | None:
    with engine.connect() as connection:
        return connection.execute(
            select(alert_checks.c.checked_until).where(alert_checks.c.brand == brand)
        ).scalar_one_or_none()


def last_checked_at(engine: Engine, brand: str) -> datetime | None:
    """When the brand's watermark last moved: the time of its last check that judged windows."""
    with engine.connect() as connection:
        return connection.execute(
            select(alert_checks.c.updated_at).where(alert_checks.c.brand == brand)
        ).scalar_one_or_none()


def claim_windows(connection: Connection, brand: str, previous: datetime | None, until: datetime,
                  now: datetime, judged_at: datetime) -> bool:
    """Move the brand's watermark from `previous` to `until`; False when another check moved it first.

    Won, the windows up to `until` are recorded as judged at `judged_at` (the
    wall-clock time their counts were read). A first check (no watermark)
    judges all history afresh, so judgments of an earlier one are dropped.
    """
    # RETURNING, not rowcount: drivers disagree on rowcount for INSERT ... ON CONFLICT DO NOTHING.
    if previous is None:
        insert = insert_for(connection, alert_checks).values(brand=brand, checked_until=until, updated_at=now)
        statement = insert.on_conflict_do_nothing(index_elements=["brand"])
    else:
        statement = (
            update(alert_checks)
            .where(alert_checks.c.brand == brand, alert_checks.c.checked_until == previous)
            .values(checked_until=until, updated_at=now)
        )
    if connection.execute(statement.returning(alert_checks.c.brand)).first() is None:
        return False
    if previous is None:
        connection.execute(delete(alert_judgments).where(alert_judgments.c.brand == brand))
    connection.execute(alert_judgments.insert().values(brand=brand, judged_until=until, judged_at=judged_at))
    return True


def forget_judgments_before(connection: Connection, brand: str, before: datetime) -> None:
    """Delete the brand's judgments of windows ending at or before `before`, which no later check reads.

    Kept, they grew by one row a check for ever (8,760 a year per brand with
    hourly checks). The caller passes a time no later count reaches below
    (`check._judgments_needed_from`), so no count changes.
    """
    connection.execute(delete(alert_judgments).where(alert_judgments.c.brand == brand,
                                                     alert_judgments.c.judged_until <= before))


def open_alert(engine: Engine, brand: str) -> Alert | None:
    """The brand's alert still within its cooldown, if any."""
    with engine.connect() as connection:
        row = connection.execute(
            select(alerts).where(alerts.c.brand == brand, alerts.c.status == "active")
            .order_by(alerts.c.window_start.desc()).limit(1)
        ).first()
    return _alert(row) if row else None


def _flagged_in(since: datetime, until: datetime | None = None) -> ColumnElement[bool]:
    """Alerts whose flagged span (first window to last flagged one) overlaps [since, until), or [since, ...).

    One rule for every reader that picks alerts by time (the weekly digest,
    `alerts list --since`, the detector's baselines): a spike begun before
    `since` and still flagged after it is in, as its later hours are.
    """
    still_flagged = alerts.c.last_window_end > since
    return still_flagged if until is None else and_(alerts.c.window_start < until, still_flagged)


def spans_between(engine: Engine, brand: str, since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """(start, last window end) of the brand's alerts overlapping [since, until): kept out of baselines."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(alerts.c.window_start, alerts.c.last_window_end)
            .where(alerts.c.brand == brand, _flagged_in(since, until))
        ).all()
    return [(r.window_start, r.last_window_end) for r in rows]


def insert_alert(connection: Connection, values: dict[str, Any]) -> int:
    result = connection.execute(alerts.insert().values(**values).returning(alerts.c.id))
    return int(result.scalar_one())


def extend_alert(connection: Connection, alert_id: int, last_window_end: datetime) -> None:
    connection.execute(update(alerts).where(alerts.c.id == alert_id).values(last_window_end=last_window_end))


def end_alert(connection: Connection, alert_id: int, ended_at: datetime) -> None:
    connection.execute(update(alerts).where(alerts.c.id == alert_id).values(status="ended", ended_at=ended_at))


_CAS_TRIES = 20  # checks racing on one alert's deliveries: each try loses only to a write that succeeded


Records = list[dict[str, Any]]


def change_deliveries(engine: Engine, alert_id: int, change: Callable[[Records], Records | None]) -> Records | None:
    """Replace an alert's delivery list by `change(list)`, unless it returns None; returns the list written.

    A compare-and-set on the stored JSON text, retried on a lost race: a
    check writing its outcome does not drop a record another check wrote
    meanwhile, and a claim (see `alerts.resend`) is won by one check only.
    """
    as_text = cast(alerts.c.deliveries, Text)
    for _ in range(_CAS_TRIES):
        with engine.connect() as connection:
            text = connection.execute(select(as_text).where(alerts.c.id == alert_id)).scalar_one()
        stored = json.loads(text) if text else []
        changed = change(list(stored))
        if changed is None:
            return None
        with engine.begin() as connection:
            won = connection.execute(
                update(alerts).where(alerts.c.id == alert_id, as_text == text)
                .values(deliveries=changed).returning(alerts.c.id)
            ).first()
        if won:
            return changed
    raise RuntimeError(f"alert {alert_id}: its delivery records kept changing under this check")


def recent_alerts_since(engine: Engine, brand: str, since: datetime) -> list[Alert]:
    """The brand's alerts raised (stored) at or after `since`, oldest first."""
    query = (select(alerts).where(alerts.c.brand == brand, alerts.c.created_at >= since)
             .order_by(alerts.c.created_at, alerts.c.id))
    with engine.connect() as connection:
        return [_alert(row) for row in connection.execute(query)]


def get_alert(engine: Engine, alert_id: int) -> Alert:
    with engine.connect() as connection:
        return _alert(connection.execute(select(alerts).where(alerts.c.id == alert_id)).one())


def recent_alerts(engine: Engine, limit: int = 20, brand: str | None = None,
                  since: datetime | None = None) -> list[Alert]:
    """The newest alerts first (by the window that raised them), optionally for one brand, or since a time.

    `since` keeps the alerts still flagged after it (`_flagged_in`), as the
    weekly digest picks a week's: picked by their start, a spike begun on
    Sunday night and flagged into Monday was left out of `--since Monday`.
    """
    query = select(alerts).order_by(alerts.c.window_start.desc(), alerts.c.id.desc()).limit(limit)
    if brand is not None:
        query = query.where(alerts.c.brand == brand)
    if since is not None:
        query = query.where(_flagged_in(since))
    with engine.connect() as connection:
        return [_alert(row) for row in connection.execute(query)]


def alert_brands(engine: Engine) -> dict[str, int]:
    """Every brand that has alerts stored, with how many, by name."""
    query = select(alerts.c.brand, func.count()).group_by(alerts.c.brand).order_by(alerts.c.brand)
    with engine.connect() as connection:
        return {brand: int(n) for brand, n in connection.execute(query)}


def alerts_between(engine: Engine, brand: str | None, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Alerts whose spike (first window to last flagged one) overlaps [since, until), oldest first, as plain data.

    For the weekly digest: a spike that began on Sunday evening and was still
    flagged on Monday is this week's news too; selected by its start alone, it
    showed only in last week's digest. `brand=None` gives every brand's.
    Datetimes stay timezone-aware datetimes.
    """
    query = (select(alerts).where(_flagged_in(since, until))
             .order_by(alerts.c.window_start, alerts.c.id))
    if brand is not None:
        query = query.where(alerts.c.brand == brand)
    with engine.connect() as connection:
        return [_alert(row).as_dict() for row in connection.execute(query)]


def span_observed(engine: Engine, alert: Alert) -> int:
    """Negative share-stage items over the alert's whole span, from its first window to its last flagged one.

    `observed` counts only the window(s) that raised it; a spike flagged for
    three more hours listed "14:00–17:00" beside the first hour's 18 items
    while 27 fell in the span. The later windows are counted as the checks
    that extended it counted them: items of known date, late ones left out.
    """
    if alert.last_window_end <= alert.window_end:
        return alert.observed
    window = (alert.window_end - alert.window_start) / max(alert.windows, 1)
    origin = alert.window_start  # on the grid the check that raised it used (day windows: the config zone's)
    later = window_counts(engine, alert.brand, window, window_index(alert.window_end, window, origin),
                          window_index(alert.last_window_end, window, origin), judged_until=alert.last_window_end,
                          origin=origin)
    return alert.observed + int(later.negative.sum())
