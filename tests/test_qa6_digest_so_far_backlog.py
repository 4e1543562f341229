"""A running week's 'Week so far' line counts the week's talk, not a feed's backlog of unknown date.

On the Tuesday a review feed was added, the partial digest opened "Week so far: share talk leads with 35 items
(22 a week on average over the previous four weeks)": 30 of the 35 were months-old reviews of unknown date,
set beside a weekly average of items of known date, while the line below said such items are no change.
"""

from __future__ import annotations

import dataclasses

from journeywatch.reports.highlights import highlights
from tests.test_qa6_digest_backlog_sentiment import _week


def test_the_week_so_far_names_the_items_of_known_date(sqlite_url: str) -> None:
    digest = dataclasses.replace(_week(sqlite_url, backlog=30, this_week=4), partial_note="Partial week")
    assert highlights(digest)[0] == ("Week so far: share talk leads with 4 items of known date (10 a week on "
                                     "average over the previous four weeks); moves are judged when the week is "
                                     "over."), highlights(digest)


def test_a_week_so_far_of_backlog_only_names_no_leader(sqlite_url: str) -> None:
    digest = dataclasses.replace(_week(sqlite_url, backlog=30, this_week=0), partial_note="Partial week")
    lines = highlights(digest)
    assert not any(line.startswith("Week so far") for line in lines), lines
    assert lines[0].startswith("30 of this week's 30 mentions are of unknown date"), lines
