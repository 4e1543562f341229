"""How `alerts check` names the minimum history it waits for."""

from datetime import timedelta

import pytest

from journeywatch.alerts.check import _duration


@pytest.mark.parametrize(("value", "text"), [
    (timedelta(weeks=12), "12 weeks"),
    (timedelta(weeks=1), "1 week"),
    (timedelta(days=400), "400 days"),
    (timedelta(days=1), "1 day"),
    (timedelta(hours=36), "36 hours"),
])
def test_min_history_is_named_in_the_unit_it_was_likely_written_in(value: timedelta, text: str) -> None:
    assert _duration(value) == text
