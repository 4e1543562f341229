"""Feed dates in RFC 850 form ("Monday, 23-Nov-26 10:00:00 GMT", HTTP's obsolete date) are read, not replaced.

feedparser found no date in them: every such entry was stamped with the fetch time, with a warning, and a
first reading stored the lot as of unknown date.
"""

from __future__ import annotations

from datetime import datetime, timezone

from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import FeedSource
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

FETCH_TIME = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
DATES = ["Monday, 23-Nov-26 10:00:00 GMT", "Mon, 23-Nov-26 10:00:00 +0100", "Monday, 23-Nov-26 10:00:00 EST",
         "Monday, 23-Nov-2026 10:00 UTC", "Monday, 23-Nov-26 10:00:00"]


def test_rfc_850_dates_are_read_in_utc(feed_server: FeedServer) -> None:
    items = "".join(f"<item><guid>{n}</guid><title>Acme review {n}</title><pubDate>{date}</pubDate></item>"
                    for n, date in enumerate(DATES))
    feed_server.routes["/feed"] = Route(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
        .encode())
    listener = FeedListener(FeedSource(kind="feed", name="reviews", url=feed_server.url("/feed")),
                            sleep=lambda _: None, clock=lambda: FETCH_TIME)
    (batch,) = listener.fetch(None)
    assert [m.created_at.isoformat() for m in batch.mentions] == [
        "2026-11-23T10:00:00+00:00", "2026-11-23T09:00:00+00:00", "2026-11-23T15:00:00+00:00",
        "2026-11-23T10:00:00+00:00", "2026-11-23T10:00:00+00:00"]
    assert all(m.date_known for m in batch.mentions) and batch.warnings == []
