"""A refused date's hint names only a date_format that reads it."""

from journeywatch.listeners.dates import _format_hint


def test_a_day_that_does_not_exist_gets_no_layout_that_refuses_it_too() -> None:
    assert _format_hint("31/09/2026 9:15am") == ": no day of the calendar, read day first or month first"


def test_the_one_layout_that_reads_a_date_is_named() -> None:
    assert _format_hint("24/11/2026 2:05 PM") == ": '%d/%m/%Y %I:%M %p' reads this one"
    assert _format_hint("11/24/2026") == ": '%m/%d/%Y' reads this one"
    assert _format_hint("05.04.26 14:05") == ": '%m.%d.%y %H:%M' if months come first, '%d.%m.%y %H:%M' if days do"
