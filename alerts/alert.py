"""An alert as stored and shown: the spike's window, its figures and its evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


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


def window_text(start: datetime, end: datetime) -> str:
    """'2026-11-18 14:00–17:00 UTC'; with the end's date when it falls on another day than the start
    ('2026-11-22 23:00–2026-11-23 00:00 UTC'): '23:00–00:00' read as the start day's own midnight.
    As the alert message and `alerts list` write an alert's window."""
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{until} UTC"


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

    def summary_line(self) -> str:
        """One line for terminals and flow logs."""
        when = self.window_start.strftime("%Y-%m-%d %H:%M")
        top = ", ".join(f"{name} {n}" for name, n in list(self.sources.items())[:3])
        return (f"{self.brand}: {self.observed} negative share-stage items in the window from {when} UTC, "
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
