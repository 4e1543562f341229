"""How long a gap between readings still dates a feed's new undated entries follows the alert window.

Stamped at the fetch time, entries written over the gap land in one alert window; a gap of up to two
windows at most doubles it. With `alerts: {window: 6h}` a team polling every five hours lost the dates
of every new undated entry, because the bound was two hours whatever the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, build_listener, prepare_mentions
from journeywatch.settings import Brand, FeedSource
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.mentions import set_watermark
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.test_undated_feeds import _backlog, _rss, _stored


@pytest.mark.parametrize(("window", "known"), [(None, False), (timedelta(hours=6), True)])
def test_a_five_hour_gap_dates_new_undated_entries_only_under_a_wider_alert_window(
    tmp_path, feed_server: FeedServer, window: timedelta | None, known: bool,  # noqa: F811
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'gap.db'}")
    source = FeedSource(kind="feed", name="reviews", url=feed_server.url("/reviews"), source_kind="review")
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])

    def collect() -> None:
        collect_source(engine, build_listener(source, alert_window=window), lambda ms: prepare_mentions(ms, matcher))

    feed_server.routes["/reviews"] = Route(_rss(_backlog(3)))
    collect()
    earlier = datetime.now(timezone.utc) - timedelta(hours=5)  # as if the last reading were five hours ago
    with engine.begin() as connection:
        set_watermark(connection, "reviews", {**get_watermark(engine, "reviews"), "read_at": earlier.isoformat()})
    feed_server.routes["/reviews"] = Route(_rss(_backlog(4, "new") + _backlog(3)))
    collect()
    assert sorted(flag for _, flag in _stored(engine, "reviews")) == sorted([False] * 3 + [known] * 4)
