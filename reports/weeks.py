"""ISO weeks in the brand manager's timezone, as the UTC ranges storage queries use.

A digest week runs Monday 00:00 to the next Monday 00:00 *local* time, so a
post written late on Sunday in Berlin belongs to the week a Berlin reader
expects. Each week edge is converted on its own, so a week that crosses a
daylight-saving change is 167 or 169 hours long, as it really is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from journeywatch.errors import ConfigError

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
# No source stores an item dated before 1990 (listeners.base.EARLIEST: such a date is a placeholder, Unix time 0
# or 0001-01-01), so no earlier week has data; and week 0001-W01's eight-week trend began before the calendar.
FIRST_YEAR = 1990


class WeekError(ConfigError):
    """A week asked for that no digest can have: not of the form YYYY-Www, no such ISO week, before `FIRST_YEAR`, or
    not begun. The message starts "week '...'"; `digest --week` refuses it as a bad option value (exit 2)."""


@dataclass(frozen=True, slots=True)
class Week:
    """One ISO week: `label` like 2026-W47, `monday` its first local day."""

    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def shift(self, weeks: int) -> Week:
        """The week `weeks` later (negative: earlier)."""
        return week_of(self.monday + timedelta(weeks=weeks))

    def start_utc(self, tz: str) -> datetime:
        """Local Monday 00:00 as an aware UTC datetime."""
        return datetime.combine(self.monday, time(0), ZoneInfo(tz)).astimezone(timezone.utc)

    def end_utc(self, tz: str) -> datetime:
        """The next local Monday 00:00 (exclusive end) in UTC."""
        return self.shift(1).start_utc(tz)


def week_of(day: date) -> Week:
    """The ISO week a date falls in."""
    year, number, _ = day.isocalendar()
    return Week(year, number)


def parse_week(text: str) -> Week:
    """Read 'YYYY-Www' (or 'YYYYWww'); a wrong shape or a week that does not exist is a `WeekError`."""
    match = _WEEK.match(text.strip())
    if not match:
        raise WeekError(f"week {text!r}: use the ISO form YYYY-Www, e.g. 2026-W47, or 'latest'")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise WeekError(f"week {text!r}: {year} has no ISO week {number}") from None
    if year < FIRST_YEAR:
        raise WeekError(f"week {text!r} is before {FIRST_YEAR}, and no item is stored before it (a source's "
                        f"earlier date is a placeholder); ask for {FIRST_YEAR}-W01 or later")
    return Week(year, number)


def current_week(tz: str, now: datetime | None = None) -> Week:
    """The week running now in `tz`: not over yet, so a digest of it is partial."""
    now = now or datetime.now(timezone.utc)
    return week_of(now.astimezone(ZoneInfo(tz)).date())


def last_complete_week(tz: str, now: datetime | None = None) -> Week:
    """The most recent week that has fully ended in `tz` (on a Monday: the week before)."""
    return current_week(tz, now).shift(-1)


def week_edges(week: Week, tz: str, weeks_back: int) -> list[datetime]:
    """UTC edges of the `weeks_back` weeks before `week` and `week` itself: weeks_back + 2 datetimes."""
    first = week.shift(-weeks_back)
    return [first.shift(i).start_utc(tz) for i in range(weeks_back + 2)]
