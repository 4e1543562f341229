"""A feed URL that serves an HTML page naming that same URL as its feed (a sign-in or error page in its place)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import FeedSource
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

_PAGE = (b'<!DOCTYPE html><html><head><title>Sign in</title><link rel="alternate" type="application/rss+xml" '
         b'href="{href}"></head><body><p>Please sign in</p></body></html>')


def _fail(url: str) -> str:
    listener = FeedListener(FeedSource(kind="feed", name="reviews", url=url), sleep=lambda _: None,
                            clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    return str(caught.value)


def test_a_page_naming_the_feed_itself_is_not_told_to_use_the_same_url(feed_server: FeedServer) -> None:
    """It was told 'the page names its feed: use url: <the URL it already had>'."""
    feed_server.routes["/reviews.rss"] = Route(_PAGE.replace(b"{href}", b"/reviews.rss"), content_type="text/html")
    message = _fail(feed_server.url("/reviews.rss"))
    assert "use url:" not in message
    assert "the page names this same URL as its feed" in message and "HTML page, not an RSS or Atom feed" in message


def test_a_redirect_to_a_page_naming_the_configured_feed_is_the_same_case(feed_server: FeedServer) -> None:
    feed_server.routes["/reviews.rss"] = Route(b"", status=302, headers={"Location": "/login"})
    feed_server.routes["/login"] = Route(_PAGE.replace(b"{href}", b"/reviews.rss"), content_type="text/html")
    message = _fail(feed_server.url("/reviews.rss"))
    assert "use url:" not in message and "the page names this same URL as its feed" in message


def test_a_page_naming_another_feed_still_names_it(feed_server: FeedServer) -> None:
    feed_server.routes["/forum"] = Route(_PAGE.replace(b"{href}", b"/posts.rss"), content_type="text/html")
    assert f"the page names its feed: use url: {feed_server.base}/posts.rss" in _fail(feed_server.url("/forum"))
