"""A feed over the source's max_bytes: the failure names the setting to raise."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import FeedSource
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

RSS = (Path(__file__).parent / "data" / "feeds" / "rss20.xml").read_bytes()


@pytest.mark.parametrize("chunk", [0, 256])  # with a Content-Length, and sent in chunks without one
def test_a_feed_over_max_bytes_names_the_setting(feed_server: FeedServer, chunk: int) -> None:
    """It said only 'response is 1700 bytes, over the 1024-byte limit': not which key sets the limit."""
    feed_server.routes["/big.rss"] = Route(RSS + b" " * 2048, chunk=chunk)
    listener = FeedListener(FeedSource(kind="feed", name="big", url=feed_server.url("/big.rss"), max_bytes=1024),
                            sleep=lambda _: None, clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    message = str(caught.value)
    assert "1024-byte limit (the source's max_bytes: raise it if the feed is meant to be this large)" in message


def test_a_feed_file_over_max_bytes_names_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "big.rss"
    path.write_bytes(RSS + b" " * 2048)
    listener = FeedListener(FeedSource(kind="feed", name="big", url=path.as_uri(), max_bytes=1024),
                            sleep=lambda _: None, clock=lambda: datetime(2026, 11, 20, tzinfo=timezone.utc))
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    assert "(the source's max_bytes: raise it if the feed is meant to be this large)" in str(caught.value)
