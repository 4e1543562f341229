"""The detector's hour-of-day and weekday slots are taken in the config's zone, not UTC.

People post by their own clock: after a daylight-saving change a brand's daily cycle moves an hour against UTC, and
with UTC slots the baseline of an hour mixed the weeks before the change (one local hour) with those after (another).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np

from journeywatch.alerts import Series, evaluate
from journeywatch.settings import AlertSettings

HOUR = timedelta(hours=1)
NEW_YORK = ZoneInfo("America/New_York")
ORIGIN = datetime(2026, 10, 5, tzinfo=NEW_YORK).astimezone(timezone.utc)  # Monday 00:00 EDT, four weeks before the change
N = 5 * 7 * 24


def office_hours(origin: datetime, zone: ZoneInfo) -> np.ndarray:
    """12 items an hour from 09:00 to 17:00 by the local clock, 1 an hour otherwise: a brand's working day."""
    local_hours = [(origin + i * HOUR).astimezone(zone).hour for i in range(N)]
    return np.array([12 if 9 <= h < 17 else 1 for h in local_hours])


def verdict_at(moment: datetime, zone: str | None) -> object:
    counts = office_hours(ORIGIN, NEW_YORK)
    at = int((moment - ORIGIN) / HOUR)
    series = Series(ORIGIN, HOUR, counts) if zone is None else Series(ORIGIN, HOUR, counts, zone=zone)
    return evaluate(series, AlertSettings(), at, at + 1)[0]


# Monday 2 Nov 2026, the day after the clocks went back: 16:00 EST is 21:00 UTC, which was 17:00 EDT (quiet) in
# every week of the baseline.
AFTER_THE_CHANGE = datetime(2026, 11, 2, 16, tzinfo=NEW_YORK).astimezone(timezone.utc)


def test_the_last_office_hour_after_the_clocks_go_back_is_no_spike_in_local_slots() -> None:
    verdict = verdict_at(AFTER_THE_CHANGE, "America/New_York")
    assert verdict.observed == 12
    assert not verdict.flagged, verdict
    assert 8 < verdict.expected < 16  # 16:00 local has always had 12 an hour


def test_utc_slots_remain_for_a_series_without_a_zone() -> None:
    """Without a zone the slots are UTC's, as before: the same hour is then measured against the quiet 17:00 EDT."""
    verdict = verdict_at(AFTER_THE_CHANGE, None)
    assert verdict.expected < 4
    assert verdict.flagged, verdict


def test_a_utc_zone_gives_the_verdicts_of_no_zone() -> None:
    counts = office_hours(ORIGIN, NEW_YORK)
    start = 4 * 7 * 24
    plain = evaluate(Series(ORIGIN, HOUR, counts), AlertSettings(), start, N)
    utc = evaluate(Series(ORIGIN, HOUR, counts, zone="UTC"), AlertSettings(), start, N)
    assert [(v.flagged, v.expected, v.p_value) for v in plain] == [(v.flagged, v.expected, v.p_value) for v in utc]
