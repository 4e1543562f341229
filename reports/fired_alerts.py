"""The alerts a brand fired in a week, as the alerts package stores them.

The digest only reports alerts; it never decides them (see journeywatch.alerts).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from journeywatch.alerts import alerts_between
from journeywatch.alerts.alert import expected_text, ratio_text

from .formatting import count


def fired_alerts(engine: Engine, brand: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Alerts whose spike began in [since, until) for `brand`, oldest first, as plain data."""
    return [dict(alert) for alert in alerts_between(engine, brand, since, until)]


def alert_summary(alert: dict[str, Any], tz: str = "UTC") -> tuple[str, str]:
    """(when, what) for one alert: the spike's start in the digest's timezone, and its figures against the baseline.

    In UTC, a New York digest listed 'Tue 10 Nov 03:00 UTC' for a spike its own week and quotes put on Monday.
    """
    start = alert.get("window_start")
    if isinstance(start, datetime):
        local = (start if start.tzinfo else start.replace(tzinfo=timezone.utc)).astimezone(ZoneInfo(tz))
        when = f"{local:%a} {local.day} {local:%b %H:%M %Z}"
    else:
        when = str(start or "")
    observed, expected, ratio = alert.get("observed"), alert.get("expected"), alert.get("ratio")
    what = count(int(observed or 0), "negative share-stage item")
    if expected is not None:  # as alerts list writes it: "0.0 were expected" read as nothing at all
        what += f" where {expected_text(float(expected))} were expected"
    if ratio is not None:  # against a near-zero baseline the ratio is huge and meaningless past this
        what += f" ({ratio_text(float(ratio))})"
    sources = alert.get("sources") or {}
    if sources:
        what += "; top sources: " + ", ".join(f"{name} {n:,}" for name, n in list(sources.items())[:3])
    if alert.get("status"):
        what += f"; {alert['status']}"
    return when, what
