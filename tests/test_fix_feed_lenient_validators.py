"""A feed read leniently is fetched whole again next run, not answered with a 304."""

from __future__ import annotations

from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.test_listeners_feeds import _listener, _rss

WHOLE = _rss("<item><guid>r1</guid><title>Acme one</title></item><item><guid>r2</guid><title>Acme two</title></item>")
CUT = WHOLE[: WHOLE.index("<guid>r2") + len("<guid>r2")].encode()  # the server sent half the second entry


def test_entries_after_a_break_are_read_when_the_feed_is_whole_again(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(CUT, etag='"v1"')
    listener = _listener(feed_server.url("/feed"))
    first = list(listener.fetch(None))
    assert [m.external_id for b in first for m in b.mentions] == ["r1"]
    assert any("read leniently" in w for b in first for w in b.warnings)
    assert "etag" not in first[-1].watermark
    feed_server.routes["/feed"] = Route(WHOLE.encode(), etag='"v1"')  # same ETag: the server's own slip
    again = list(listener.fetch(first[-1].watermark))
    assert "if-none-match" not in feed_server.hits("/feed")[1].headers
    assert [m.external_id for b in again for m in b.mentions] == ["r1", "r2"]
    assert again[-1].watermark["etag"] == '"v1"'
