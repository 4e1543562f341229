"""A refused date in numbers says which date_format reads it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journeywatch.listeners.dates import parse_time
from journeywatch.listeners.files import FileListener
from journeywatch.settings import FileSource


@pytest.mark.parametrize(("value", "hint"), [
    ("11/24/2026 2:05 PM", "'%m/%d/%Y %I:%M %p' reads this one"),  # Google Sheets, Excel in a US locale
    ("24/11/2026 14:05", "'%d/%m/%Y %H:%M' reads this one"),
    ("24.11.26 14:05:09", "'%d.%m.%y %H:%M:%S' reads this one"),
    ("11-24-2026 2:05pm", "'%m-%d-%Y %I:%M%p' reads this one"),
    ("11/02/2026", "'%m/%d/%Y' if months come first, '%d/%m/%Y' if days do"),
])
def test_a_refused_date_in_numbers_names_the_format_that_reads_it(value: str, hint: str) -> None:
    """'set the source's date_format' alone left users guessing at strptime codes; the one named reads the date."""
    with pytest.raises(ValueError) as refused:
        parse_time(value)
    assert str(refused.value).endswith(f"set the source's date_format for others: {hint})")
    datetime.strptime(value, hint.split("'")[1])


def test_a_sheet_with_us_dates_reads_with_the_format_its_warning_names(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("id,text,date\n1,Acme kettle broke,11/24/2026 2:05 PM\n")
    columns = {"created_at": "date"}
    with pytest.raises(Exception, match=r"'%m/%d/%Y %I:%M %p' reads this one\) \(in column 'date'\)"):
        list(FileListener(FileSource(kind="file", name="sheet", path=path, columns=columns)).fetch(None))
    read = FileListener(FileSource(kind="file", name="sheet", path=path, columns=columns,
                                   date_format="%m/%d/%Y %I:%M %p"))
    assert [m.created_at.isoformat() for b in read.fetch(None) for m in b.mentions] == ["2026-11-24T14:05:00+00:00"]


@pytest.mark.parametrize(("value", "expected"), [
    ("Nov 20, 2026, 2:05 PM", "2026-11-20T14:05:00+00:00"),  # a browser's en-US date and time
    ("November 20, 2026 at 2:05 PM", "2026-11-20T14:05:00+00:00"),
    ("20.11.2026, 14:05:09", "2026-11-20T14:05:09+00:00"),  # de-DE
    ("20 November 2026, 14:05", "2026-11-20T14:05:00+00:00"),  # en-GB
])
def test_a_year_joined_to_the_time_by_a_comma_or_at_is_read(value: str, expected: str) -> None:
    """Dates that cannot be misread, refused for the comma (or 'at') browsers and Google put before the time."""
    assert parse_time(value).isoformat() == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Nov 20, 2026 10:15PM", "2026-11-20T22:15:00+00:00"),
    ("2026-11-20 10:15pm", "2026-11-20T22:15:00+00:00"),
    ("2026/11/20 10:15AM", "2026-11-20T10:15:00+00:00"),
])
def test_am_or_pm_written_onto_the_time_is_read(value: str, expected: str) -> None:
    """Only Meltwater's '20-Nov-2026 10:15PM' read so; the same clock after other dates was refused."""
    assert parse_time(value).isoformat() == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-11-22 10:00:00 +0100", "2026-11-22T09:00:00+00:00"),  # Ruby's Time#to_s (read before too)
    ("2026-11-22 10:00:00.000 +00:00", "2026-11-22T10:00:00+00:00"),
    ("2026-11-22 10:00:00.250 +0100", "2026-11-22T09:00:00.250000+00:00"),
    ("2026-11-22 10:00:00 +0100 CET", "2026-11-22T09:00:00+00:00"),  # Go's time.Time.String()
    ("2026-11-22 10:00:00.123456789 -0800 PST", "2026-11-22T18:00:00.123456+00:00"),
    ("2026-11-22 10:00:00 -0300 -03", "2026-11-22T13:00:00+00:00"),  # Go, a zone with no name of its own
])
def test_a_space_before_the_offset_after_a_fraction_or_before_a_zone_name_is_read(value: str,
                                                                                  expected: str) -> None:
    """Refused, every row of an export from Go or of Ruby's times with milliseconds was skipped; the offset says
    the time, in whatever zone the source's `timezone` names."""
    assert parse_time(value).isoformat() == expected
    assert parse_time(value, zone=ZoneInfo("Asia/Tokyo")).isoformat() == expected


def test_a_go_export_is_read_with_its_offsets(tmp_path: Path) -> None:
    path = tmp_path / "go.csv"
    path.write_text("id,text,created_at\n1,Acme kettle broke,2026-11-22 10:00:00.5 +0100 CET\n"
                    "2,Acme again,2026-11-22 10:00:00.000 +00:00\n")
    read = FileListener(FileSource(kind="file", name="go", path=path))
    assert [m.created_at.isoformat() for b in read.fetch(None) for m in b.mentions] == [
        "2026-11-22T09:00:00.500000+00:00", "2026-11-22T10:00:00+00:00"]
