"""From flagged windows to spikes: one spike, one alert, and a cooldown.

A spike opens at its first flagged window. Flagged windows that follow
within the cooldown of the spike's last flagged window extend it instead of
raising a new alert; once a whole cooldown passes without one, the spike has
ended (and a new one may open). Pure, so the database layer and the
evaluation benchmark count alerts the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .detector import Verdict


@dataclass(slots=True)
class OpenSpike:
    """A spike still within its cooldown: when it started and where its last flagged window ended."""

    start: datetime
    last_end: datetime
    alert_id: int | None = None


@dataclass(frozen=True, slots=True)
class SpikeEvent:
    """`start` raises an alert, `extend` folds a window into the open one, `end` closes it."""

    kind: Literal["start", "extend", "end"]
    at: datetime  # window start (start, extend) or the end of the last flagged window (end)
    verdict: Verdict | None
    spike: OpenSpike


def track(
    verdicts: Iterable[Verdict], window: timedelta, cooldown: timedelta, open_spike: OpenSpike | None = None
) -> tuple[list[SpikeEvent], OpenSpike | None]:
    """Turn verdicts (in window order) into spike events; returns them and the spike still open."""
    events: list[SpikeEvent] = []
    for verdict in verdicts:
        end = verdict.start + window
        if verdict.flagged:
            if open_spike is None:
                open_spike = OpenSpike(verdict.start, end)
                events.append(SpikeEvent("start", verdict.start, verdict, open_spike))
            else:
                open_spike.last_end = end
                events.append(SpikeEvent("extend", verdict.start, verdict, open_spike))
        if open_spike is not None and end >= open_spike.last_end + max(cooldown, window):
            events.append(SpikeEvent("end", open_spike.last_end, None, open_spike))
            open_spike = None
    return events, open_spike
