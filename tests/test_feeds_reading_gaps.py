"""Undated entries first seen after a long gap in a feed's readings are of unknown date.

An undated entry new at a reading was written since the reading before it. When that was an hour ago,
the fetch time dates it well enough; when the monitor was stopped for a week, or the feed was
unreachable, a week of entries landed in one hour as known dates: a fake alert spike. Feeds are served
over real local HTTP and collected by the monitor's own step, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine

from journeywatch.flows.steps import SourceOutcome, collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.feeds import MAX_READING_GAP, FeedListener
from journeywatch.settings import Brand, FeedSource
from journeywatch.storage import get_watermark, open_database
from tests.servers.feeds import Failure, FeedServer, Route, feed_server  # noqa: F401
from tests.test_undated_feeds import FIRST, HOUR, _backlog, _rss, _stored

WEEK = timedelta(days=7)


def _collect_at(engine: Engine, server: FeedServer, at: datetime, name: str = "reviews") -> SourceOutcome:
    """One monitor run's collection of the feed `name`, with the listener's clock at `at`."""
    source = FeedSource(kind="feed", name=name, url=server.url(f"/{name}"), source_kind="review")
    listener = FeedListener(source, sleep=lambda _: None, clock=lambda: at)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    return collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher))


def test_undated_entries_new_after_a_week_without_readings_are_of_unknown_date(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """The monitor stopped for a week: the twelve undated reviews written meanwhile were stamped into the hour
    of the next fetch as known dates."""
    engine = open_database(database_url)
    feed_server.routes["/reviews"] = Route(_rss(_backlog(3)))
    _collect_at(engine, feed_server, FIRST)
    feed_server.routes["/reviews"].body = _rss(_backlog(12, "new") + _backlog(3))
    later = FIRST + WEEK
    outcome = _collect_at(engine, feed_server, later)
    assert Counter(_stored(engine, "reviews")) == {(FIRST, False): 3, (later, False): 12}
    assert [w for w in outcome.warnings if "last read" in w] == [
        "the feed was last read 7 days ago, over 2 hours: 12 entries without a date, new since, may have been "
        "written at any time in between and are stored as of unknown date (in the digest's week, in no alert window)"]


def test_a_not_modified_answer_counts_as_a_reading(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """A feed unchanged for a week, read every hour with 304s, then listing new undated entries: they were
    written in the last hour, and keep the fetch time as a known date."""
    engine = open_database(database_url)
    feed_server.routes["/reviews"] = Route(_rss(_backlog(3)), etag='"v1"')
    _collect_at(engine, feed_server, FIRST)
    at = FIRST
    for _ in range(3):  # the hourly runs of the quiet week, abridged: the last is an hour before the change
        at += WEEK / 3 - HOUR / 3
        assert _collect_at(engine, feed_server, at).fetched == 0
    assert [hit.headers.get("if-none-match") for hit in feed_server.hits("/reviews")] == [None] + ['"v1"'] * 3
    assert get_watermark(engine, "reviews")["read_at"] == at.isoformat()
    feed_server.routes["/reviews"] = Route(_rss(_backlog(12, "new") + _backlog(3)), etag='"v2"')
    now = at + HOUR
    _collect_at(engine, feed_server, now)
    assert Counter(_stored(engine, "reviews")) == {(FIRST, False): 3, (now, True): 12}


def test_a_failed_reading_is_no_reading(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """The feed was unreachable for a day: the gap runs from the last reading that succeeded."""
    engine = open_database(database_url)
    feed_server.routes["/reviews"] = Route(_rss(_backlog(3)))
    _collect_at(engine, feed_server, FIRST)
    feed_server.routes["/reviews"].status = 503
    at = FIRST
    for _ in range(3):  # every run of the outage fails (retries spent at once: the listener's sleep is a no-op)
        at += 8 * HOUR
        try:
            _collect_at(engine, feed_server, at)
        except Exception:  # noqa: BLE001 - the source error the monitor would record
            pass
        else:
            raise AssertionError("an unreachable feed was read")
    feed_server.routes["/reviews"] = Route(_rss(_backlog(12, "new") + _backlog(3)))
    now = at + HOUR
    _collect_at(engine, feed_server, now)
    assert Counter(_stored(engine, "reviews")) == {(FIRST, False): 3, (now, False): 12}


def test_entries_new_within_the_bound_keep_the_fetch_time_as_a_known_date(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """Readings an hour apart, or one run missed: the fetch time is within a couple of alert windows of when
    the entry was written."""
    engine = open_database(database_url)
    feed_server.routes["/reviews"] = Route(_rss(_backlog(3)))
    _collect_at(engine, feed_server, FIRST)
    feed_server.routes["/reviews"].body = _rss(_backlog(4, "a") + _backlog(3))
    hourly = FIRST + HOUR
    outcome = _collect_at(engine, feed_server, hourly)
    assert not any("last read" in warning for warning in outcome.warnings)
    feed_server.routes["/reviews"].body = _rss(_backlog(5, "b") + _backlog(4, "a") + _backlog(3))
    missed_one = hourly + MAX_READING_GAP
    _collect_at(engine, feed_server, missed_one)
    assert Counter(_stored(engine, "reviews")) == {(FIRST, False): 3, (hourly, True): 4, (missed_one, True): 5}
