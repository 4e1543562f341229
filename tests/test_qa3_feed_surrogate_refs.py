"""Emoji written as UTF-16 surrogate character references (`&#55357;&#56832;`), as Java, .NET and JS escapers do."""

from __future__ import annotations

from datetime import datetime, timezone

from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import FeedSource
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

_FEED = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Reviews</title>'
         "<item><guid>r1</guid><pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate>"
         "<title>Zephyr kettle &#55357;&#56832;</title>"
         "<description>Love it &#xD83D;&#xDE0D; and a lone &#xD800; here</description></item>"
         "<item><guid>r2</guid><pubDate>Thu, 19 Nov 2026 11:00:00 GMT</pubDate>"
         "<title>Plain</title><description>No emoji &#233;</description></item>"
         "</channel></rss>").encode()


def test_surrogate_pairs_are_the_characters_they_encode(feed_server: FeedServer) -> None:
    """One such emoji failed the whole source, every run: feedparser's lenient parser raised "UnicodeEncodeError:
    'utf-8' codec can't encode character '\\ud83d' ... surrogates not allowed"."""
    feed_server.routes["/reviews.rss"] = Route(_FEED)
    listener = FeedListener(FeedSource(kind="feed", name="reviews", url=feed_server.url("/reviews.rss")),
                            sleep=lambda _: None, clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))
    batches = list(listener.fetch(None))
    assert [(m.external_id, m.title, m.text) for b in batches for m in b.mentions] == [
        ("r1", "Zephyr kettle \U0001F600", "Love it \U0001F60D and a lone \ufffd here"),
        ("r2", "Plain", "No emoji \u00e9")]
    assert [w for b in batches for w in b.warnings] == []  # well-formed once mended: no 'read leniently'
