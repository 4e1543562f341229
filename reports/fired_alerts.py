"""The alerts a brand fired in a week, as the alerts package stores them.

The digest only reports alerts; it never decides them (see journeywatch.alerts).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from journeywatch.alerts import alerts_between
from journeywatch.alerts.alert import expected_text, ratio_text
from journeywatch.alerts.state import get_alert, span_observed

from .formatting import count


def fired_alerts(engine: Engine, brand: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """`brand`'s alerts flagged in [since, until) (begun in it, or begun before and still flagged), oldest first.

    Each carries `span_observed` beside `observed` (the raising window(s)' count), as `alerts list --json`
    does: the negative share-stage items from its first window to its last flagged one; and
    `began_before_week`, true for a spike raised before the week that was still flagged in it (a Sunday-night
    spike running into Monday), which the digest says began earlier rather than counting it as fired this week.
    """
    return [{**alert, "span_observed": span_observed(engine, get_alert(engine, int(alert["id"]))),
             "began_before_week": alert["window_start"] < since}
            for alert in alerts_between(engine, brand, since, until) if not _summer_overhang(alert, since)]


_DAY = timedelta(days=1)


def _summer_overhang(alert: dict[str, Any], since: datetime) -> bool:
    """True for an alert of day windows that reaches into the week only by the summer hour of its grid.

    Day windows are cut at midnight in the zone's winter time (`alerts.counts.window_origin`), so in summer a
    Sunday's runs to Monday 01:00 (00:30 on Lord Howe): a Sunday spike was listed again in the next week's digest,
    "Began before this week, still flagged in it", though nothing of it was flagged on Monday. `since` is the
    week's local Monday midnight; the grid lies `ahead` of it, less than half a day (a zone ahead of its grid,
    as Casablanca in Ramadan, is not this case).
    """
    start, end = alert.get("window_start"), alert.get("last_window_end")
    windows = max(int(alert.get("windows") or 1), 1)
    if not isinstance(start, datetime) or not isinstance(end, datetime) or start >= since:
        return False
    window = (alert["window_end"] - start) / windows
    if window % _DAY:  # hour windows lie on the UTC hour: one that crosses the week's start really runs into it
        return False
    ahead = (start - since) % _DAY
    return timedelta(0) < ahead < _DAY / 2 and end - since <= ahead


def began_before_week(alert: dict[str, Any]) -> bool:
    """True for an alert of an earlier week still flagged in this one (see `fired_alerts`)."""
    return bool(alert.get("began_before_week"))


def _local(value: Any, tz: str) -> Any:
    if not isinstance(value, datetime):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(ZoneInfo(tz))


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from `start` to `end`. Two times in one zone subtract by the wall clock, so the day window of
    the day the clocks go back (01:00 PDT to 00:00 PST, 24 hours) came out 23 hours: not a day window."""
    return end.astimezone(timezone.utc) - start.astimezone(timezone.utc)


def _hours(start: datetime, end: datetime) -> str:
    """'14:00–17:00' within a day (the line's 'when' gives the day); the days too across midnight; each end's
    zone over a clock change ('01:00 PDT–01:00 PST': '01:00–01:00' read as no time at all)."""
    first, last = ((f" {start:%Z}", f" {end:%Z}") if start.tzname() != end.tzname() else ("", ""))
    if start.date() == end.date():
        return f"{start:%H:%M}{first}–{end:%H:%M}{last}"
    return f"{start:%a} {start.day} {start:%b %H:%M}{first}–{end:%a} {end.day} {end:%b %H:%M}{last}"


def alert_summary(alert: dict[str, Any], tz: str = "UTC") -> tuple[str, str]:
    """(when, what) for one alert: the spike's start in the digest's timezone, and its figures against the baseline.

    In UTC, a New York digest listed 'Tue 10 Nov 03:00 UTC' for a spike its own week and quotes put on Monday.
    """
    start = _local(alert.get("window_start"), tz)
    when = f"{start:%a} {start.day} {start:%b %H:%M %Z}" if isinstance(start, datetime) else str(start or "")
    observed, expected, ratio = alert.get("observed"), alert.get("expected"), alert.get("ratio")
    what = count(int(observed or 0), "negative share-stage item")
    end, last = _local(alert.get("window_end"), tz), _local(alert.get("last_window_end"), tz)
    if isinstance(start, datetime) and isinstance(end, datetime) and _elapsed(start, end) >= timedelta(days=1):
        # A day window (or longer) by its start alone, 'Sun 22 Nov 00:00', read as a spike at midnight.
        # Over a clock change each end has its own abbreviation, as in `alerts list`: the end's alone named
        # the start's offset wrongly ('Sun 4 Oct 00:00–Mon 5 Oct 00:30 +11' for 00:00 +1030).
        opening = "" if start.tzname() == end.tzname() else f" {start:%Z}"
        when = f"{start:%a} {start.day} {start:%b %H:%M}{opening}–{end:%a} {end.day} {end:%b %H:%M %Z}"
    span = alert.get("span_observed")
    if span is not None and isinstance(start, datetime) and isinstance(end, datetime) \
            and isinstance(last, datetime) and last > end:
        # Flagged past the window(s) that raised it: the first window's count alone read as the whole spike
        # (16 items, where 27 fell in 14:00–17:00). Expected and sources are the raising window(s)'.
        raised = "the windows that raised it" if int(alert.get("windows") or 1) > 1 else "the window that raised it"
        what = (f"{count(int(span), 'negative share-stage item')} over {_hours(start, last)}, "
                f"{int(observed or 0):,} of them in {_hours(start, end)} ({raised})")
    if expected is not None:  # as alerts list writes it: "0.0 were expected" read as nothing at all
        what += f" where {expected_text(float(expected))} were expected"
    if ratio is not None:  # against a near-zero baseline the ratio is huge and meaningless past this
        what += f" ({ratio_text(float(ratio))})"
    sources = alert.get("sources") or {}
    if sources:
        what += "; top sources: " + ", ".join(f"{name} {n:,}" for name, n in list(sources.items())[:3])
    if alert.get("status"):
        what += f"; {alert['status']}"
    if began_before_week(alert):  # its start, shown as 'when', lies in an earlier week: say so, not fired now
        what = f"Began before this week, still flagged in it: {what}"
    return when, what
