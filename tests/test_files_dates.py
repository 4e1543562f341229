"""A refused date in numbers says which date_format reads it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

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
