"""ISO weeks in a timezone: parsing, the last complete week, and DST-length weeks."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeywatch.errors import ConfigError
from journeywatch.reports import last_complete_week, parse_week
from journeywatch.reports.weeks import week_of


def test_parse_week_reads_iso_labels_and_rejects_others() -> None:
    assert parse_week("2026-W47").label == "2026-W47"
    assert parse_week("2026w5").label == "2026-W05"
    assert parse_week("2026-W53").label == "2026-W53"  # 2026 has 53 ISO weeks
    for bad in ("2026-47", "last week", "2025-W53", "2026-W00"):
        with pytest.raises(ConfigError):
            parse_week(bad)


def test_last_complete_week_depends_on_the_zone() -> None:
    # Monday 00:30 in Auckland is still Sunday in UTC: the week that just ended differs.
    now = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)  # Sun 12:00 UTC = Mon 01:00 in Auckland
    assert last_complete_week("UTC", now).label == "2026-W46"
    assert last_complete_week("Pacific/Auckland", now).label == "2026-W47"


def test_a_week_crossing_daylight_saving_has_its_real_length() -> None:
    week = parse_week("2026-W43")  # Berlin leaves summer time on Sun 25 Oct 2026
    hours = (week.end_utc("Europe/Berlin") - week.start_utc("Europe/Berlin")).total_seconds() / 3600
    assert hours == 169


@given(st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2100, 1, 1).date()))
def test_every_day_lies_in_its_week(day: object) -> None:
    week = week_of(day)  # type: ignore[arg-type]
    assert week.monday <= day <= week.sunday  # type: ignore[operator]
    assert parse_week(week.label) == week
    assert week.shift(1).shift(-1) == week
