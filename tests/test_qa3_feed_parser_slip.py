"""A malformed body on which feedparser's lenient parser itself raises: one clear failure, not its bare exception."""

from __future__ import annotations

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.feeds import parse_feed

# found by random bodies: tags closed out of order make feedparser's loose parser raise KeyError: 'tags'
_BODY = ('</feed><author></guid><updated></link></author></author>Mon, 23 Nov 2026 10:00:00 GMTMon, 23 Nov 2026 '
         '10:00:00 GMT"<item><channel></description>\x00</feed></rss></author></channel><category><feed '
         'xmlns="http://www.w3.org/2005/Atom"><channel>/relhttp://x/a></entry></category><description></pubDate>'
         '<author><name><item></id>&lt;b&gt;</entry>&#56832;<feed xmlns="http://www.w3.org/2005/Atom">"><category><')


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml", ""])
def test_a_body_feedparser_trips_on_fails_the_source_in_words(content_type: str) -> None:
    """The source failed with "KeyError: 'tags'" and nothing else."""
    with pytest.raises(SourceError) as caught:
        parse_feed("reviews", _BODY.encode(), {"content-type": content_type}, "http://127.0.0.1/f")
    message = str(caught.value)
    assert ("not a readable RSS or Atom feed (feedparser's lenient reading of this malformed body failed: "
            "KeyError") in message
    assert caught.value.retryable  # broken XML: the fetch tries again (a file half-written by its generator)
