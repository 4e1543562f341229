"""A 429 whose Retry-After is longer than the source's max_delay: the failure says what the server asked for."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import FeedSource
from tests.servers.feeds import Failure, FeedServer, Route, feed_server  # noqa: F401


def _fail(url: str, sleeps: list[float]) -> str:
    settings = FeedSource(kind="feed", name="reviews", url=url, retries=2, max_delay=5)
    listener = FeedListener(settings, sleep=sleeps.append, clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    return str(caught.value)


def test_a_long_retry_after_is_named_in_the_failure(feed_server: FeedServer) -> None:
    """It said 'HTTP 429 Too Many Requests from URL (gave up after 3 attempts)': nothing of the hour asked for."""
    feed_server.routes["/reviews.rss"] = Route(b"", failures=[Failure(429, retry_after="3600")] * 3)
    sleeps: list[float] = []
    message = _fail(feed_server.url("/reviews.rss"), sleeps)
    assert sleeps == [5, 5]  # capped, as before
    assert message.endswith("HTTP 429 Too Many Requests from " + feed_server.url("/reviews.rss") + "; the server "
                            "asked to wait 3600 s (Retry-After), over the source's max_delay (5 s): the next run "
                            "tries again (gave up after 3 attempts)")


def test_a_retry_after_within_max_delay_adds_nothing(feed_server: FeedServer) -> None:
    feed_server.routes["/reviews.rss"] = Route(b"", failures=[Failure(503, retry_after="2")] * 3)
    message = _fail(feed_server.url("/reviews.rss"), [])
    assert "Retry-After" not in message and message.endswith("(gave up after 3 attempts)")
