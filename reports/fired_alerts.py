"""The alerts a brand fired in a week, read through `journeywatch.alerts` when it is installed.

The digest only reports alerts; it never decides them. Alerts are plain dicts
as the alerts package stores them, with times made JSON-friendly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine


def fired_alerts(engine: Engine, brand: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Alerts fired for `brand` in [since, until); an empty list while the alerts package has no store."""
    try:
        from journeywatch.alerts import alerts_between  # type: ignore[attr-defined]
    except ImportError:
        return []
    return [dict(alert) for alert in alerts_between(engine, brand, since, until)]


def alert_summary(alert: dict[str, Any]) -> tuple[str, str]:
    """(when, what) for one alert, whatever keys the alerts package gives it."""
    when = next((alert[k] for k in ("fired_at", "started_at", "at", "created_at") if alert.get(k)), "")
    if isinstance(when, datetime):
        when = when.strftime("%a %d %b %H:%M UTC")
    what = next((str(alert[k]) for k in ("message", "summary", "title", "reason") if alert.get(k)), "")
    if not what:
        observed, expected = alert.get("observed"), alert.get("expected")
        what = f"{observed} negative share-stage items, {expected} expected" if observed is not None else str(alert)
    return str(when), what
