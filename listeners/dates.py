"""When an export says a row was written: the many ways other tools write a date, read as aware UTC.

Kept apart from the file reader because it is its own problem: each format here is one that cannot be
misread (slashed day/month dates read both ways, so they need the source's `date_format`), and a time
before EARLIEST is a placeholder, not a date.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

from .base import EARLIEST


class DateError(ValueError):
    """Why a value is not a date; the message names the value."""


# Dates other tools write that are not ISO 8601 but cannot be misread: Twitter's `created_at`, and the
# day.month.year of a spreadsheet in a European locale. (Slashed dates are left out: 01/02 reads both ways.)
# Month names and year-first slashes cannot be misread either; "Nov 20, 2026 10:00 PM" is how report exports
# (Meltwater's, Sprout's) write dates for people.
_OTHER_FORMATS = ("%a %b %d %H:%M:%S %z %Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
                  "%b %d, %Y %I:%M %p", "%b %d, %Y %I:%M:%S %p", "%b %d, %Y %H:%M", "%b %d, %Y %H:%M:%S", "%b %d, %Y",
                  "%B %d, %Y %I:%M %p", "%B %d, %Y %H:%M", "%B %d, %Y", "%d %b %Y %I:%M %p", "%d %B %Y %I:%M %p",
                  "%d %B %Y %H:%M", "%d %B %Y", "%A, %B %d, %Y %I:%M %p", "%A, %B %d, %Y",
                  "%d-%b-%Y %I:%M%p", "%d-%b-%Y %I:%M %p", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y %H:%M", "%d-%b-%Y",
                  "%Y-%m-%d %I:%M %p", "%Y-%m-%d %I:%M:%S %p",
                  "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %I:%M %p", "%Y/%m/%d")
# RFC 2822 as e-mail and RSS write it. email.utils reads far more, wrongly: "Nov 20, 2026 10:00 PM" was 10:00 (the
# PM dropped) and "20 Nov 2026 10:00 PM PST" 10:00 UTC; only this shape is handed to it.
_RFC_2822 = re.compile(r"(?:[A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d\d(?::\d\d)?"
                       r"(?:\s*(?:[+-]\d{4}|UTC?|GMT|Z|[ECMP][SD]T))?", re.IGNORECASE)
_MILLISECONDS = 1e11  # as Unix seconds, year 5138: a number this large is milliseconds (JavaScript, Talkwalker)
# Each 1000 times larger again: microseconds (BigQuery's UNIX_MICROS, Postgres exports), nanoseconds (pandas, Arrow).
_UNITS = ((1e17, 1e9), (1e14, 1e6), (_MILLISECONDS, 1e3))


def parse_time(value: Any, date_format: str | None = None, zone: tzinfo = timezone.utc) -> datetime:
    """A row's time as aware UTC: ISO 8601, RFC 2822, Twitter's, d.m.Y, a named month ("Nov 20, 2026 10:00 PM"),
    Y/m/d, Unix seconds or ms, or a spreadsheet's serial day number (45981.5 is 2025-11-20 12:00).

    A time written without a zone is `zone`'s wall-clock time (see `in_utc`); one with an offset, `Z` or a
    trailing UTC keeps it, and Unix time is UTC. With `date_format` (the source's strptime format) only that
    format is read, so a slashed date means what the export's locale meant. A time before 1990 is a
    placeholder (a database's 0001-01-01, Unix time 0), not a date.
    """
    return in_utc(read_time(value, date_format), zone)


def read_time(value: Any, date_format: str | None = None) -> datetime:
    """A row's time as the export wrote it: aware where the value says its zone (or is Unix time), naive where
    it is a wall-clock time; `DateError` for no date or a placeholder (see `parse_time`)."""
    parsed = _parse_time(value, date_format)
    if parsed < (EARLIEST if parsed.tzinfo else _EARLIEST_WRITTEN):  # a zone's hours do not make 1989 a date
        raise DateError(f"created_at {value!r} is before 1990: a placeholder, not a date")
    return parsed


_EARLIEST_WRITTEN = EARLIEST.replace(tzinfo=None)


def in_utc(written: datetime, zone: tzinfo = timezone.utc) -> datetime:
    """`written` as aware UTC, a naive time read as `zone`'s wall-clock time.

    Sprout Social's, Excel's and many tools' exports write local times without an offset: read as UTC they
    were hours off, moving items across alert windows and digest days. A local time that does not exist
    (skipped when clocks go forward) or exists twice (when they go back) is read with the offset in force
    before the change (`fold=0`): 02:30 on a spring-forward night in Europe/Berlin is 01:30 UTC, and the
    autumn's first 02:30 (summer time) is 00:30 UTC.
    """
    if written.tzinfo is not None:
        return written.astimezone(timezone.utc)
    if zone is timezone.utc:  # the default, read per row: no conversion
        return written.replace(tzinfo=timezone.utc)
    return written.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)


# All-digit dates of these lengths are ISO 8601's basic format, not Unix time: "20261120" was 1970-08-23, and
# "20261120103000" (as milliseconds) the year 2612.
_COMPACT = {8: "%Y%m%d", 14: "%Y%m%d%H%M%S"}
# A spreadsheet's date cell saved as its number: days since 1899-12-30 (Excel, Google Sheets, LibreOffice), the
# fraction the time of day. Days 32874 to 73050 are 1990 to 2099; as Unix seconds they were 1970 and refused.
_EXCEL_EPOCH = datetime(1899, 12, 30)  # a cell's wall-clock time, as the sheet showed it
_EXCEL_DAYS = (32874, 73051)


def _parse_time(value: Any, date_format: str | None) -> datetime:
    """`read_time` but for the placeholder check."""
    if isinstance(value, bool) or value is None or value == "":
        raise DateError("no created_at")
    if date_format is not None:
        try:
            parsed = datetime.strptime(str(value).strip(), date_format)
        except ValueError:
            raise DateError(f"created_at {value!r} does not match date_format {date_format!r}") from None
        return parsed
    if isinstance(value, (int, str)) and (digits := str(value).strip()).isdigit() and len(digits) in _COMPACT:
        try:
            return datetime.strptime(digits, _COMPACT[len(digits)])
        except ValueError:
            raise DateError(f"created_at {value!r} is not a date (read as {_COMPACT[len(digits)]})") from None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().replace(".", "", 1).isdigit()):
        seconds = float(value)
        if _EXCEL_DAYS[0] <= seconds < _EXCEL_DAYS[1]:  # as Unix seconds, a time on 1 January 1970
            # to the millisecond: 45981.416666666664 is 10:00, not 09:59:59.999999
            return _EXCEL_EPOCH + timedelta(milliseconds=round(seconds * 86_400_000))
        try:
            per_second = next((per for least, per in _UNITS if seconds >= least), 1)
            return datetime.fromtimestamp(seconds / per_second, tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as exc:
            raise DateError(f"created_at {value!r} is out of range") from exc
    if not isinstance(value, str):
        raise DateError(f"created_at {value!r} is not a date")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _other_date(text)
        if parsed is None:
            raise DateError(f"created_at {value!r} is not a date (ISO 8601, RFC 2822 or Unix time; "
                           f"set the source's date_format for others{_format_hint(text)})") from None
    return parsed


# ISO 8601 with the zone named after it, as BigQuery's and Snowflake's exports write: "2026-11-01 10:00:00 UTC".
_NAMED_UTC = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(?:UTC|GMT)", re.IGNORECASE)


# ISO 8601 with a space before the offset and a fraction of a second, or the zone's name after the offset, as
# Go's time.Time prints ("2026-11-22 10:00:00.123456789 +0100 CET") and Ruby's with milliseconds: Python reads
# the space before an offset only after whole seconds. The offset says the time; a name after it is left out.
_SPACED_OFFSET = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s+([+-]\d\d:?\d\d)"
                            r"(?:\s+(?:[A-Z]{2,5}|[+-]\d\d(?:\d\d)?))?")


def _other_date(text: str) -> datetime | None:
    if match := _NAMED_UTC.fullmatch(text):
        try:
            return datetime.fromisoformat(match[1]).replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    if match := _SPACED_OFFSET.fullmatch(text):
        try:
            return datetime.fromisoformat(match[1] + match[2])
        except ValueError:
            return None
    if _RFC_2822.fullmatch(text):
        try:
            parsed = parsedate_to_datetime(text)  # as in e-mail and RSS: "Mon, 02 Nov 2026 10:00:00 +0000"
        except (TypeError, ValueError, IndexError):
            pass
        else:  # -0000 is UTC said by a writer that knows no local zone (RFC 5322), read naive by email.utils
            return parsed.replace(tzinfo=timezone.utc) if text.endswith("-0000") else parsed
    text = _MERIDIEM_JOINED.sub(" ", _YEAR_THEN_TIME.sub(r"\1 ", text))
    for pattern in _OTHER_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


# The year and the time joined by a comma or "at", as browsers' and Google's locale formats write them: "Nov 20, 2026,
# 2:05 PM" (en-US), "20.11.2026, 14:05:00" (de-DE), "November 20, 2026 at 2:05 PM". Read as if a space joined them.
_YEAR_THEN_TIME = re.compile(r"(\d{4})(?:,\s*|\s+at\s+|,\s*at\s+)(?=\d{1,2}:)")
# AM or PM written onto the time, "Nov 20, 2026 10:15PM", read as if a space came before it.
_MERIDIEM_JOINED = re.compile(r"(?<=\d)(?=[AaPp][Mm]$)")


# A date with the day and month as numbers, as a sheet in a locale's own layout writes it: "11/24/2026 2:05 PM".
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d\d)"
                           r"(?:(\s+|T)(\d{1,2}):\d\d(:\d\d)?(\s*)([AaPp][Mm])?)?")


def _format_hint(text: str) -> str:
    """The date_format that reads `text`, when it is a date in numbers (": '%m/%d/%Y %I:%M %p' reads this one"),
    else "".

    Month first or day first cannot be told from a day up to 12, so both are given then; a refused
    "11/24/2026 2:05 PM" said only to set a date_format, and users wrote one that matched nothing.
    """
    match = _NUMERIC_DATE.fullmatch(text)
    if match is None:
        return ""
    first, sep, second, year, gap, _hour, seconds, space, meridiem = match.groups()
    tail = "%Y" if len(year) == 4 else "%y"
    if gap is not None:
        clock = "%I:%M" if meridiem else "%H:%M"
        tail += f"{gap}{clock}{':%S' if seconds else ''}{space + '%p' if meridiem else ''}"
    month_first, day_first = f"%m{sep}%d{sep}{tail}", f"%d{sep}%m{sep}{tail}"
    reading = [layout for layout in (month_first, day_first) if _reads(text, layout)]
    if not reading:  # '31/09/2026': the hint named a layout that refuses it too
        return ": no day of the calendar, read day first or month first"
    if len(reading) == 1:
        return f": {reading[0]!r} reads this one"
    return f": {month_first!r} if months come first, {day_first!r} if days do"


def _reads(text: str, layout: str) -> bool:
    try:
        datetime.strptime(text, layout)
    except ValueError:
        return False
    return True
