"""An alert as stored and shown: the spike's window, its figures and its evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo


def expected_text(expected: float) -> str:
    """0.0063, 2.5, 150, 1,500: two significant digits below 10, whole numbers above (".2g" wrote 150 as "1.5e+02"),
    grouped as the digest groups its counts."""
    return f"{expected:.2g}" if expected < 10 else f"{expected:,.0f}"


def ratio_text(ratio: float) -> str:
    """3.4×, 27×, or ">1000×" when the baseline is nearly silent: as the alert message, `alerts list` and the
    digest all write it (they read "431×", "431.0×" and "(431.0×)" for one alert)."""
    if ratio >= 1000:
        return ">1000×"
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


_UTC_NAMES = {"UTC", "UCT", "UNIVERSAL", "ZULU"}


def is_utc(zone: str) -> bool:
    """Whether `zone` (`digest.timezone`) is UTC by another name: such a config reads as one without a zone."""
    return zone.upper().removeprefix("ETC/") in _UTC_NAMES


def _as_utc(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _day(value: datetime) -> str:
    """'Wed 18 Nov 15:00', as the digest names a time in its zone."""
    return f"{value:%a} {value.day} {value:%b %H:%M}"


def window_text(start: datetime, end: datetime, zone: str = "UTC") -> str:
    """'2026-11-18 14:00–17:00 UTC'; with the end's date when it falls on another day than the start
    ('2026-11-22 23:00–2026-11-23 00:00 UTC'): '23:00–00:00' read as the start day's own midnight.
    As the alert message, `alerts check` and `alerts list` write an alert's window.

    In a `zone` other than UTC (`digest.timezone`), as its brand managers live it, with UTC beside it where
    its offset is not UTC's: 'Wed 18 Nov 15:00–16:00 CET (14:00–15:00 UTC)'; the UTC days are named when
    they are not the local start's ('Thu 19 Nov 01:00–02:00 AEDT (Wed 18 Nov 14:00–15:00 UTC)').
    """
    start, end = _as_utc(start), _as_utc(end)
    if is_utc(zone):
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        return f"{start:%Y-%m-%d %H:%M}–{until} UTC"
    tz = ZoneInfo(zone)
    first, last = start.astimezone(tz), end.astimezone(tz)
    # Over a clock change each end has its own abbreviation: one alone named the other end's offset wrongly.
    opening = _day(first) + ("" if first.tzname() == last.tzname() else f" {first:%Z}")
    until = f"{last:%H:%M}" if last.date() == first.date() else _day(last)
    local = f"{opening}–{until} {last:%Z}"
    if first.utcoffset() == last.utcoffset() == timedelta(0):  # GMT in winter: UTC already
        return local
    if start.date() == end.date() == first.date():
        return f"{local} ({start:%H:%M}–{end:%H:%M} UTC)"
    utc_until = f"{end:%H:%M}" if end.date() == start.date() else _day(end)
    return f"{local} ({_day(start)}–{utc_until} UTC)"


def moment_text(at: datetime, zone: str = "UTC") -> str:
    """One time as alerts show it: '2026-11-18 14:00 UTC', or in `zone` with UTC beside it where it differs
    ('Wed 18 Nov 15:00 CET (14:00 UTC)'; the UTC day too when it is not the local one)."""
    at = _as_utc(at)
    if is_utc(zone):
        return f"{at:%Y-%m-%d %H:%M} UTC"
    local = at.astimezone(ZoneInfo(zone))
    shown = f"{_day(local)} {local:%Z}"
    if local.utcoffset() == timedelta(0):
        return shown
    return f"{shown} ({at:%H:%M} UTC)" if at.date() == local.date() else f"{shown} ({_day(at)} UTC)"


def item_time_text(created_at: str, zone: str = "UTC") -> str:
    """An evidence item's time (stored as ISO 8601 in UTC): as stored in UTC, else in `zone` alone
    ('Wed 18 Nov 15:02 CET'): the window beside it gives UTC. Text that is no time is shown as it is."""
    if is_utc(zone):
        return created_at
    try:
        local = _as_utc(datetime.fromisoformat(created_at)).astimezone(ZoneInfo(zone))
    except (TypeError, ValueError):
        return created_at
    return f"{_day(local)} {local:%Z}"


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One negative share-stage item from the window that raised the alert."""

    text: str
    url: str | None
    source: str
    source_kind: str
    created_at: str  # ISO 8601, UTC

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvidenceItem:
        return cls(data.get("text", ""), data.get("url"), data.get("source", ""),
                   data.get("source_kind", ""), data.get("created_at", ""))


@dataclass(slots=True)
class Alert:
    """A spike of negative share-stage talk for one brand.

    `observed` and `expected` are counts over `windows` consecutive window(s)
    ending at `window_end` (more than 1 when the detector's scan found the
    sum of the last few windows most significant); `p_value` is the count
    model's upper tail.
    """

    id: int
    brand: str
    window_start: datetime
    window_end: datetime
    last_window_end: datetime
    status: str  # "active" while within its cooldown, then "ended"
    observed: int
    expected: float
    ratio: float
    p_value: float
    model: str
    windows: int
    negative_share: float | None
    share_items: int
    top_items: list[EvidenceItem]
    sources: dict[str, int]  # negative share-stage items per source in the window
    created_at: datetime
    ended_at: datetime | None = None
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def summary_line(self, zone: str = "UTC") -> str:
        """One line for terminals and flow logs; its window in `zone` (`digest.timezone`), with UTC beside it.

        The whole window, as `alerts check` and `alerts list` write it: 'in the window from 15:00' gave no end,
        and read as a spike still going on.
        """
        when = window_text(self.window_start, self.window_end, zone)
        top = ", ".join(f"{name} {n}" for name, n in list(self.sources.items())[:3])
        return (f"{self.brand}: {self.observed} negative share-stage items in {when}, "
                f"expected {expected_text(self.expected)} ({ratio_text(self.ratio)}, p={self.p_value:.1e}); "
                f"sources: {top or 'none'}")

    def as_dict(self) -> dict[str, Any]:
        """Plain data (datetimes stay datetimes) for digests and JSON (use `default=str`).

        Adds `fired_at` (the start of the window that raised it) and `summary`
        (the one-line text) for readers that only show alerts.
        """
        data = asdict(self)
        data["fired_at"] = self.window_start
        data["summary"] = self.summary_line()
        return data
