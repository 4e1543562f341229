"""A feed URL pasted with a space or a line end around it (quoted YAML, a block scalar) reads the feed."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import parse_config
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

RSS = (Path(__file__).parent / "data" / "feeds" / "rss20.xml").read_bytes()


@pytest.mark.parametrize("around", [("", " "), (" ", ""), ("", "\n"), ("\t", "  \n")])
def test_spaces_around_a_feed_url_are_not_part_of_it(feed_server: FeedServer, around: tuple[str, str]) -> None:
    """A trailing space was fetched as 'reviews.rss%20' (HTTP 404 from a URL that looked right), a leading one
    refused as not starting with http://, a line end was an invalid URL."""
    feed_server.routes["/reviews.rss"] = Route(RSS)
    url = around[0] + feed_server.url("/reviews.rss") + around[1]
    config = parse_config({"brands": [{"name": "Acme", "query": "acme"}],
                           "sources": [{"name": "reviews", "kind": "feed", "url": url}]})
    (source,) = config.sources
    assert source.url == feed_server.url("/reviews.rss")
    listener = FeedListener(source, sleep=lambda _: None, clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert sum(len(batch.mentions) for batch in listener.fetch(None)) > 0
    assert [seen.path for seen in feed_server.requests] == ["/reviews.rss"]
