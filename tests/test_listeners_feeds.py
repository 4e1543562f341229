"""Feed listener against a real local HTTP server: golden feeds, conditional GET, faults, odd bodies."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from journeywatch.errors import SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.feeds import FeedListener, _entry_time, entry_url
from journeywatch.settings import Brand, FeedSource
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import mentions as mentions_table
from tests.servers.feeds import TLS_CERT, Failure, FeedServer, Route, TLSFeedServer, feed_server  # noqa: F401
from tests.servers.local import running

DATA = Path(__file__).parent / "data" / "feeds"
FETCH_TIME = datetime(2026, 11, 20, tzinfo=timezone.utc)
GOLDEN = ["rss20", "atom", "rss10", "rss091", "malformed_entry", "empty",
          # the presets' services, as they publish: an App Store review's numeric id is no link, a Mastodon
          # image's alt text is not the post, a Google Alerts link is unwrapped to the article
          "appstore", "mastodon", "google_alerts", "google_news", "hnrss", "discourse",
          # a subreddit's .rss: the post's words without "submitted by /u/NAME [link] [comments]", which named its
          # author in the text; a link post's text is its title
          "reddit",
          # Blogger's Atom: the author by name, not 'Fran (noreply@blogger.com)'; a type='text' title keeps '<sigh>'
          "blogger",
          # WordPress: content:encoded, without Yoast's "The post ... appeared first on ..." line
          "wordpress"]


class Sleeps(list[float]):
    """Records the waits a listener asks for instead of sleeping through them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _listener(url: str, sleeps: Sleeps | None = None, batch_size: int = 1000, **settings: object) -> FeedListener:
    config = FeedSource(kind="feed", name="feed", url=url, source_kind="forum", **settings)
    return FeedListener(config, sleep=sleeps if sleeps is not None else Sleeps(), clock=lambda: FETCH_TIME,
                        batch_size=batch_size)


def _rss(items: str, encoding: str = "UTF-8") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>t</title>'
            f"<link>http://example.com/</link><description>d</description>{items}</channel></rss>")


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_feeds_give_the_expected_mentions(feed_server: FeedServer, name: str) -> None:
    feed_server.routes["/feed"] = Route((DATA / f"{name}.xml").read_bytes())
    expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    batches = list(_listener(feed_server.url("/feed")).fetch(None))
    got = [
        {"external_id": m.external_id, "title": m.title, "text": m.text,
         "created_at": "FETCH_TIME" if m.created_at == FETCH_TIME else m.created_at.isoformat(),
         "url": m.url, "author": m.author}
        for b in batches for m in b.mentions
    ]
    assert got == expected["mentions"]
    assert sum(b.skipped for b in batches) == expected["skipped"]
    assert all(m.source_kind == "forum" and m.created_at.tzinfo is not None for b in batches for m in b.mentions)


def test_conditional_get_with_etag_returns_nothing_new(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route((DATA / "rss20.xml").read_bytes(), etag='"v1"')
    listener = _listener(feed_server.url("/feed"))
    first = list(listener.fetch(None))
    assert first[-1].watermark["etag"] == '"v1"'
    again = list(listener.fetch(first[-1].watermark))
    assert [batch.mentions for batch in again] == [[]]  # a 304: no entries, only the time of the reading
    assert feed_server.hits("/feed")[1].headers["if-none-match"] == '"v1"'
    feed_server.routes["/feed"].etag = '"v2"'  # the feed changed: a full body comes back
    third = list(listener.fetch(first[-1].watermark))
    assert len(third[-1].mentions) == 3 and third[-1].watermark["etag"] == '"v2"'


def test_conditional_get_with_last_modified(feed_server: FeedServer) -> None:
    stamp = "Mon, 02 Nov 2026 10:00:00 GMT"
    feed_server.routes["/feed"] = Route((DATA / "atom.xml").read_bytes(), last_modified=stamp)
    listener = _listener(feed_server.url("/feed"))
    mark = list(listener.fetch(None))[-1].watermark
    assert [batch.mentions for batch in listener.fetch(mark)] == [[]]
    assert feed_server.hits("/feed")[1].headers["if-modified-since"] == stamp


def test_validators_ride_only_on_the_last_batch(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route((DATA / "rss20.xml").read_bytes(), etag='"v1"')
    old = {"url": feed_server.url("/feed"), "etag": '"v0"'}
    batches = list(_listener(feed_server.url("/feed"), batch_size=1).fetch(old))
    assert [len(b.mentions) for b in batches] == [1, 1, 1]
    assert [b.watermark.get("etag") for b in batches] == ['"v0"', '"v0"', '"v1"']


def test_relative_links_resolve_against_the_site_link_or_where_a_redirect_led(feed_server: FeedServer) -> None:
    item = "<item><guid isPermaLink='false'>{0}</guid><title>Acme {0}</title><link>/reviews/{0}</link></item>"
    feed_server.routes["/old.rss"] = Route(b"", status=301, headers={"Location": "/feeds/new.rss"})
    feed_server.routes["/feeds/new.rss"] = Route(_rss(item.format(1)).replace("http://example.com/", "").encode())
    feed_server.routes["/site.rss"] = Route(_rss(item.format(2)).encode())
    (moved,) = [m for b in _listener(feed_server.url("/old.rss")).fetch(None) for m in b.mentions]
    (site,) = [m for b in _listener(feed_server.url("/site.rss")).fetch(None) for m in b.mentions]
    assert (moved.external_id, moved.url) == ("1", feed_server.url("/reviews/1"))
    assert (site.external_id, site.url) == ("2", "http://example.com/reviews/2")


def test_relative_atom_links_resolve_where_the_feed_came_from_when_its_id_is_no_address(
        feed_server: FeedServer) -> None:
    """An Atom feed with only a `rel="self"` link: feedparser gives it its `tag:` id as its link, and every
    relative entry link was stored as no link at all."""
    entry = "<entry><title>Acme {0}</title><id>urn:e{0}</id><link href='posts/{0}'/><updated>{1}</updated></entry>"
    for feed_id, path in (("tag:example.org,2026:blog", "/blog/atom.xml"), ("https://example.org/", "/web.xml")):
        feed_server.routes[path] = Route((
            "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
            f"<id>{feed_id}</id><link rel='self' href='{path}'/><updated>2026-11-19T10:00:00Z</updated>"
            + entry.format(1, "2026-11-19T10:00:00Z") + "</feed>").encode(), content_type="application/atom+xml")
    (tagged,) = [m.url for b in _listener(feed_server.url("/blog/atom.xml")).fetch(None) for m in b.mentions]
    (addressed,) = [m.url for b in _listener(feed_server.url("/web.xml")).fetch(None) for m in b.mentions]
    assert tagged == feed_server.url("/blog/posts/1")
    assert addressed == "https://example.org/posts/1"  # an id that is an address stays the site link


def test_server_error_once_then_success(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route((DATA / "rss20.xml").read_bytes(), failures=[Failure(500)])
    sleeps = Sleeps()
    batches = list(_listener(feed_server.url("/feed"), sleeps, backoff=0.5).fetch(None))
    assert len(batches[-1].mentions) == 3
    assert len(feed_server.hits("/feed")) == 2
    assert sleeps == [0.5]


def test_too_many_requests_honours_retry_after_with_a_cap(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route((DATA / "rss20.xml").read_bytes(),
                                        failures=[Failure(429, retry_after="3"), Failure(429, retry_after="9999")])
    sleeps = Sleeps()
    list(_listener(feed_server.url("/feed"), sleeps, backoff=0.1, max_delay=7).fetch(None))
    assert sleeps == [3.0, 7.0]


def test_persistent_failure_gives_up_after_bounded_retries(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(b"", failures=[Failure(503)] * 10)
    sleeps = Sleeps()
    with pytest.raises(SourceError) as caught:
        list(_listener(feed_server.url("/feed"), sleeps, retries=2, backoff=0.1).fetch(None))
    assert "HTTP 503" in caught.value.reason and caught.value.retryable
    assert len(feed_server.hits("/feed")) == 3
    assert sleeps == [0.1, 0.2]


def test_cloudflare_errors_are_retried_and_named(feed_server: FeedServer) -> None:
    """Cloudflare's 520-524 (the site behind it down or slow) failed the source at once as a bare 'HTTP 522'."""
    feed_server.routes["/feed"] = Route((DATA / "rss20.xml").read_bytes(), failures=[Failure(522), Failure(524)])
    batches = list(_listener(feed_server.url("/feed"), backoff=0).fetch(None))
    assert len(batches[-1].mentions) == 3 and len(feed_server.hits("/feed")) == 3
    feed_server.routes["/down"] = Route(b"", status=521)
    with pytest.raises(SourceError) as caught:
        list(_listener(feed_server.url("/down"), retries=1, backoff=0).fetch(None))
    assert caught.value.retryable and len(feed_server.hits("/down")) == 2
    assert caught.value.reason.startswith(f"HTTP 521 (the site behind Cloudflare is down) from {feed_server.base}/down")


def test_not_found_is_not_retried(feed_server: FeedServer) -> None:
    with pytest.raises(SourceError) as caught:
        list(_listener(feed_server.url("/missing")).fetch(None))
    assert "HTTP 404" in caught.value.reason and not caught.value.retryable
    assert len(feed_server.hits("/missing")) == 1


def test_timeout_is_retried(feed_server: FeedServer) -> None:
    feed_server.routes["/slow"] = Route((DATA / "rss20.xml").read_bytes(), failures=[Failure(200, delay=1.5)])
    batches = list(_listener(feed_server.url("/slow"), timeout=0.5, backoff=0).fetch(None))
    assert len(batches[-1].mentions) == 3


def test_a_server_trickling_its_body_is_given_up_on_at_the_timeout(feed_server: FeedServer) -> None:
    """httpx's timeout bounds each read: a body sent 100 bytes every 0.2 s held a 0.5 s-timeout fetch for seconds."""
    feed_server.routes["/slow"] = Route((DATA / "rss20.xml").read_bytes(), chunk=100, chunk_delay=0.2)
    with pytest.raises(SourceError, match="timed out after 0.5 s") as caught:
        list(_listener(feed_server.url("/slow"), timeout=0.5, retries=0).fetch(None))
    assert caught.value.retryable
    assert len((DATA / "rss20.xml").read_bytes()) > 100 * 10  # enough chunks to outlast the timeout


def test_refused_connection_fails_with_reason() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError) as caught:
        list(_listener(f"http://127.0.0.1:{port}/feed", retries=1, backoff=0).fetch(None))
    assert "cannot connect" in caught.value.reason and "2 attempts" in caught.value.reason


def test_an_untrusted_certificate_fails_at_once_saying_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    """A self-signed or expired certificate was retried as a refused connection: four attempts, 7 s of backoff."""
    with running(TLSFeedServer()) as server:
        server.routes["/feed"] = Route((DATA / "rss20.xml").read_bytes())
        sleeps = Sleeps()
        with pytest.raises(SourceError) as caught:
            list(_listener(server.url("/feed"), sleeps).fetch(None))
        assert (f"cannot connect to {server.base}/feed: its TLS certificate is not trusted (self-signed certificate); "
                "fix the server's certificate, or, for a private CA, set SSL_CERT_FILE") in caught.value.reason
        assert not caught.value.retryable and sleeps == []
        monkeypatch.setenv("SSL_CERT_FILE", str(TLS_CERT))  # the advice works
        assert len(list(_listener(server.url("/feed")).fetch(None))[-1].mentions) == 3


def test_html_instead_of_a_feed_is_a_clear_failure_after_bounded_retries(feed_server: FeedServer) -> None:
    """A page in the feed's place (a CDN's error page) was one request and a failure: now retried as a 5xx is."""
    feed_server.routes["/page"] = Route((DATA / "page.html").read_bytes(), content_type="text/html")
    sleeps = Sleeps()
    with pytest.raises(SourceError, match="HTML page, not an RSS or Atom feed") as caught:
        list(_listener(feed_server.url("/page"), sleeps).fetch(None))
    assert caught.value.retryable and caught.value.reason.endswith("(gave up after 4 attempts)")
    assert len(feed_server.hits("/page")) == 4 and sleeps == [1.0, 2.0, 4.0]


_MASTODON_PAGE = (b'<!DOCTYPE html><html><head><title>#acme</title><link href="/tags/acme.rss" rel="alternate" '
                  b'type="application/rss+xml"></head><body><p>Public posts tagged #acme</p></body></html>')


_XHTML_PAGE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
               b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
               b'<link rel="alternate" type="application/atom+xml" href="/atom.xml"/></head><body><p>Acme</p></body></html>')


@pytest.mark.parametrize(("route", "retries", "message"), [
    (Route(_MASTODON_PAGE, content_type="text/html; charset=utf-8"), 3,
     "HTML page, not an RSS or Atom feed; the page names its feed: use url: {base}/tags/acme.rss"),
    # an XHTML page starts with '<?xml': it was 'not a readable RSS or Atom feed (no RSS or Atom elements found)'
    (Route(_XHTML_PAGE, content_type="application/xhtml+xml"), 3,
     "HTML page, not an RSS or Atom feed; the page names its feed: use url: {base}/atom.xml"),
    (Route(_XHTML_PAGE, content_type="application/xml"), 3,
     "HTML page, not an RSS or Atom feed; the page names its feed: use url: {base}/atom.xml"),
    (Route(b"", content_type="application/rss+xml"), 3, "the URL returned an empty body, not an RSS or Atom feed"),
    (Route(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</ti'), 3,
     "not a readable RSS or Atom feed (line 2, column 36: unclosed token)"),
    (Route(b"", failures=[Failure(503)]), 0, "HTTP 503 Service Unavailable from {base}/feed (gave up after 1 attempt)"),
    (Route(b"", status=302, headers={"Location": "/feed"}), 3, "too many redirects from {base}/feed"),
    # retried as a network error before: four attempts and a 'network error ... UnsupportedProtocol'
    (Route(b"", status=302, headers={"Location": "ftp://ftp.example.com/feed.xml"}), 3,
     "{base}/feed redirects to ftp://ftp.example.com/feed.xml, which is not an http(s) URL; use the feed's http(s) address"),
    (Route(b"not gzip at all", headers={"Content-Encoding": "gzip"}), 3, "cannot decode the response from {base}/feed"),
    (Route(b"", status=404), 3, "HTTP 404 Not Found from {base}/feed; check the URL (open it in a browser), or remove"),
    (Route(b"", status=401), 3, "HTTP 401 Unauthorized from {base}/feed; the server wants credentials: check the user"),
    (Route(b"", status=403), 3, "HTTP 403 Forbidden from {base}/feed; the server refused access: check the token"),
    (Route(b"", status=410), 3, "HTTP 410 Gone from {base}/feed; the feed was removed: remove the source or find"),
    # Cloudflare's "Just a moment..." page: the 403 said to check a token, the 503 was retried as an outage
    *[(Route(b"<html><title>Just a moment...</title></html>", status=status, content_type="text/html",
             headers={"cf-mitigated": "challenge", "Server": "cloudflare"}), 0 if status == 503 else 3,
       f"HTTP {status} {phrase} from {{base}}/feed; the site's bot protection (Cloudflare) asks for a browser check")
      for status, phrase in ((403, "Forbidden"), (503, "Service Unavailable"))],
])
def test_bad_sources_fail_with_a_message_that_says_what_to_do(feed_server: FeedServer, route: Route, retries: int,
                                                              message: str) -> None:
    feed_server.routes["/feed"] = route
    with pytest.raises(SourceError) as caught:
        list(_listener(feed_server.url("/feed"), retries=retries).fetch(None))
    assert message.format(base=feed_server.base) in str(caught.value)


def test_html_escaped_twice_becomes_plain_text(feed_server: FeedServer) -> None:
    """Some blog and review feeds escape their HTML twice; one pass left '<p>Acme &amp; co</p>' in the text."""
    feed_server.routes["/feed"] = Route(_rss(
        "<item><guid>1</guid><title>Acme&amp;amp;Co</title><description>&amp;lt;p&amp;gt;Acme &amp;amp;amp; co"
        "&amp;lt;/p&amp;gt;&amp;lt;script&amp;gt;track()&amp;lt;/script&amp;gt;&amp;lt;p&amp;gt;x &amp;amp;lt; y"
        "&amp;lt;/p&amp;gt;</description></item>").encode())
    (mention,) = [m for b in _listener(feed_server.url("/feed")).fetch(None) for m in b.mentions]
    assert (mention.title, mention.text) == ("Acme&Co", "Acme & co x < y")


def test_text_declared_plain_keeps_its_angle_brackets(feed_server: FeedServer) -> None:
    """Atom type="text" (an App Store review, a Blogger title) was read as HTML: '<sigh>' and '<b>' vanished."""
    feed_server.routes["/feed"] = Route(b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id>
<entry><id>1</id><title type="text">Acme lost my bag (again) &lt;sigh&gt;</title><updated>2026-11-18T10:00:00Z</updated>
<content type="text">Typed &lt;b&gt; in the Acme app, rating &lt; 3 &amp;amp; I &lt;3 the old one</content></entry>
<entry><id>2</id><title>Acme &amp;quot;premium&amp;quot; economy</title><updated>2026-11-18T10:00:00Z</updated>
<summary type="text">Mislabelled: &lt;p&gt;Acme &lt;b&gt;rocks&lt;/b&gt;&lt;/p&gt;</summary></entry>
<entry><id>3</id><title type="html">Acme &lt;b&gt;bold&lt;/b&gt; &amp;lt;x&amp;gt;</title><updated>2026-11-18T10:00:00Z</updated>
<content type="html">&lt;p&gt;Acme &lt;sigh&gt; as HTML&lt;/p&gt;</content></entry></feed>""")
    got = [(m.title, m.text) for b in _listener(feed_server.url("/feed")).fetch(None) for m in b.mentions]
    assert got == [("Acme lost my bag (again) <sigh>", "Typed <b> in the Acme app, rating < 3 & I <3 the old one"),
                   ('Acme "premium" economy', "Mislabelled: Acme rocks"),
                   ("Acme bold <x>", "Acme as HTML")]


def test_markup_typed_as_text_inside_html_is_kept(feed_server: FeedServer) -> None:
    """HTML escaped once whose text holds escaped markup (a forum post about a device named '<script>...'): read a
    second time as if escaped twice, the words it is about were deleted."""
    feed_server.routes["/feed"] = Route(b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id>
<entry><id>1</id><title>Acme app shows my name as code</title><updated>2026-11-18T10:00:00Z</updated>
<content type="html">&lt;p&gt;Named my Acme device &amp;lt;script&amp;gt;alert('x')&amp;lt;/script&amp;gt; and &amp;lt;b&amp;gt;
as a joke&lt;/p&gt;</content></entry>
<entry><id>2</id><title type="text">Named it &lt;script&gt;alert(1)&lt;/script&gt;</title><updated>2026-11-18T10:00:00Z</updated>
</entry></feed>""")
    got = [(m.title, m.text) for b in _listener(feed_server.url("/feed")).fetch(None) for m in b.mentions]
    assert got == [("Acme app shows my name as code", "Named my Acme device <script>alert('x')</script> and <b> as a joke"),
                   ("Named it <script>alert(1)</script>", "Named it <script>alert(1)</script>")]


def test_iframe_fallback_text_is_not_part_of_the_entry(feed_server: FeedServer) -> None:
    """An embedded video's fallback ("Your browser does not support iframes") ran into the post's words."""
    feed_server.routes["/feed"] = Route(_rss(
        "<item><guid>1</guid><title>Acme</title><description>&lt;p&gt;Acme kettle&lt;iframe src=\"https://v.example/1\""
        "&gt;Your browser does not support iframes&lt;/iframe&gt; broke&lt;noembed&gt;NOEMBED&lt;/noembed&gt;&lt;/p&gt;"
        "</description></item>").encode())
    (mention,) = [m for b in _listener(feed_server.url("/feed")).fetch(None) for m in b.mentions]
    assert mention.text == "Acme kettle broke"
    # escaped twice, with no other closing tag to tell it was: one pass left the iframe as literal text
    feed_server.routes["/twice"] = Route(_rss(
        "<item><guid>2</guid><title>Acme</title><description>Acme &amp;lt;iframe src=x&amp;gt;Your browser does not "
        "support iframes&amp;lt;/iframe&amp;gt; kettle</description></item>").encode())
    (mention,) = [m for b in _listener(feed_server.url("/twice")).fetch(None) for m in b.mentions]
    assert mention.text == "Acme kettle"
    feed_server.routes["/img"] = Route(_rss(
        "<item><guid>3</guid><title>Acme</title><description>Acme kettle &amp;lt;img src=\"https://x.example/k.jpg\" "
        "alt=\"photo\"&amp;gt;&amp;lt;hr/&amp;gt;broke</description></item>").encode())
    (mention,) = [m for b in _listener(feed_server.url("/img")).fetch(None) for m in b.mentions]
    assert mention.text == "Acme kettle broke"


@pytest.mark.parametrize("content_type", ["text/html; charset=UTF-8", "text/plain", "application/octet-stream"])
def test_a_feed_served_under_another_type_or_after_blank_lines_reads_without_warnings(
        feed_server: FeedServer, content_type: str) -> None:
    """Servers misname a feed's type (S3 says octet-stream) and PHP leaves blank lines before '<?xml': each fetch
    warned 'feed is not well-formed ... read leniently', and an empty feed served as text/html failed as a page."""
    body = _rss("<item><guid>1</guid><title>Caf\u00e9 Acme</title><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>")
    feed_server.routes["/feed"] = Route(b"\n\n  " + body.encode(), content_type=content_type)
    feed_server.routes["/bom"] = Route(b"\xef\xbb\xbf\r\n" + body.encode(), content_type=content_type)
    feed_server.routes["/empty"] = Route(_rss("").encode(), content_type=content_type)
    for path in ("/feed", "/bom"):
        (batch,) = _listener(feed_server.url(path)).fetch(None)
        assert [m.title for m in batch.mentions] == ["Caf\u00e9 Acme"] and batch.warnings == []
    assert [len(b.mentions) for b in _listener(feed_server.url("/empty")).fetch(None)] == [0]


def test_garbage_body_is_a_clear_failure(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route(b"\x00\x01 binary garbage", content_type="application/octet-stream")
    with pytest.raises(SourceError, match="not a readable RSS or Atom feed"):
        list(_listener(feed_server.url("/feed")).fetch(None))
    feed_server.routes["/json"] = Route(b'{"feed": {"entry": []}}', content_type="application/json")
    with pytest.raises(SourceError, match="the URL returned JSON, not an RSS or Atom feed; .*not /json"):
        list(_listener(feed_server.url("/json")).fetch(None))


def test_empty_feed_records_a_watermark_and_no_mentions(feed_server: FeedServer) -> None:
    feed_server.routes["/feed"] = Route((DATA / "empty.xml").read_bytes(), etag='"e"')
    batches = list(_listener(feed_server.url("/feed")).fetch(None))
    assert [len(b.mentions) for b in batches] == [0]
    assert batches[0].watermark["etag"] == '"e"'


def test_ten_megabyte_feed_streams_in_and_a_cap_refuses_it(feed_server: FeedServer) -> None:
    filler = "Acme words here. " * 300
    items = "".join(f"<item><guid>big-{i}</guid><title>Acme {i}</title>"
                    f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>{filler}</description></item>"
                    for i in range(2000))
    body = _rss(items).encode()
    assert len(body) > 10_000_000
    feed_server.routes["/big"] = Route(body, chunk=256 * 1024)
    batches = list(_listener(feed_server.url("/big"), batch_size=500).fetch(None))
    assert sum(len(b.mentions) for b in batches) == 2000
    assert len({m.external_id for b in batches for m in b.mentions}) == 2000
    with pytest.raises(SourceError, match="byte limit") as caught:
        list(_listener(feed_server.url("/big"), max_bytes=1_000_000).fetch(None))
    assert not caught.value.retryable


@pytest.mark.parametrize(("encoding", "header"), [("ISO-8859-1", None), (None, "windows-1252")])
def test_non_utf8_bodies_decode(feed_server: FeedServer, encoding: str | None, header: str | None) -> None:
    xml = _rss("<item><guid>1</guid><title>Caf\u00e9 Acme</title><description>cr\u00e8me br\u00fbl\u00e9e</description></item>",
               encoding or "UTF-8")
    if encoding is None:
        xml = xml.replace(' encoding="UTF-8"', "")
    content_type = f"application/rss+xml; charset={header}" if header else "application/rss+xml"
    feed_server.routes["/feed"] = Route(xml.encode("latin-1"), content_type=content_type)
    (mention,) = [m for b in _listener(feed_server.url("/feed")).fetch(None) for m in b.mentions]
    assert (mention.title, mention.text) == ("Caf\u00e9 Acme", "cr\u00e8me br\u00fbl\u00e9e")


def test_a_charset_named_wrongly_is_not_called_malformed(feed_server: FeedServer) -> None:
    """text/xml with no charset (US-ASCII by RFC 3023, meant by no one) warned 'feed is not well-formed
    (CharacterEncodingOverride ...)' on every fetch of a feed with an accent; a wrong charset is no bad XML."""
    xml = _rss("<item><guid>1</guid><title>Caf\u00e9 Acme</title><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>")
    feed_server.routes["/textxml"] = Route(xml.encode(), content_type="text/xml")
    feed_server.routes["/wrong"] = Route(xml.replace("UTF-8", "ISO-8859-1").encode("latin-1"),
                                         content_type="application/rss+xml; charset=utf-8")
    (batch,) = _listener(feed_server.url("/textxml")).fetch(None)
    assert ([m.title for m in batch.mentions], batch.warnings) == (["Caf\u00e9 Acme"], [])
    (batch,) = _listener(feed_server.url("/wrong")).fetch(None)
    assert [m.title for m in batch.mentions] == ["Caf\u00e9 Acme"]
    assert batch.warnings == ["the feed's server or its XML declaration names the wrong character encoding (document "
                              "declared as utf-8, but parsed as iso-8859-1); read as iso-8859-1"]


def test_file_url_feed_reads_from_disk_and_skips_when_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes((DATA / "atom.xml").read_bytes())
    listener = _listener(path.as_uri())
    batches = list(listener.fetch(None))
    assert len(batches[-1].mentions) == 2
    assert [batch.mentions for batch in listener.fetch(batches[-1].watermark)] == [[]]
    with pytest.raises(SourceError, match="cannot read"):
        list(_listener((tmp_path / "gone.xml").as_uri()).fetch(None))


def test_file_url_of_a_directory_fails_saying_so(tmp_path: Path) -> None:
    """A file:// URL naming a folder failed the source with a bare 'IsADirectoryError: [Errno 21] ...'."""
    with pytest.raises(SourceError, match="is a directory; a feed source reads one feed file"):
        list(_listener(tmp_path.as_uri() + "/").fetch(None))
    pipe = tmp_path / "pipe.xml"  # read as a file, a pipe waits for a writer (forever, without one); /dev/zero never ends
    os.mkfifo(pipe)
    writer = threading.Thread(target=_write_to_a_reader, args=(pipe, (DATA / "atom.xml").read_bytes()), daemon=True)
    writer.start()  # a writer, so that reading the pipe ends rather than hangs
    with pytest.raises(SourceError, match="pipe.xml is not a regular file"):
        list(_listener(pipe.as_uri()).fetch(None))
    writer.join(timeout=5)


def _write_to_a_reader(pipe: Path, body: bytes, tries: int = 50) -> None:
    """Write `body` into the FIFO `pipe` once a reader opens it; give up after `tries` looks (none came)."""
    for _ in range(tries):
        try:
            fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.02)
            continue
        with os.fdopen(fd, "wb") as stream:
            stream.write(body)
        return


def test_collect_stores_matched_entries_and_a_failed_fetch_keeps_the_watermark(
    feed_server: FeedServer, sqlite_url: str
) -> None:
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme AND NOT lyon")])
    feed_server.routes["/feed"] = Route((DATA / "rss20.xml").read_bytes(), etag='"v1"')
    listener = _listener(feed_server.url("/feed"), retries=1, backoff=0)
    outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (outcome.fetched, outcome.new, outcome.unmatched) == (3, 2, 1)
    mark = get_watermark(engine, "feed")
    feed_server.routes["/feed"].failures = [Failure(502), Failure(502)]
    feed_server.routes["/feed"].etag = '"v2"'
    with pytest.raises(SourceError):
        collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert get_watermark(engine, "feed") == mark
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mentions_table)).scalar_one() == 2


def test_entries_repeated_or_sharing_an_id_are_counted_and_none_is_lost(feed_server: FeedServer, sqlite_url: str) -> None:
    """A guid listed twice was fetched 2, new 1, counted nowhere; reviews sharing the product page as their only
    link (or one guid) were stored as one, the others lost."""
    items = ("<item><guid>g1</guid><title>Acme</title><description>Acme refunded me</description></item>" * 2
             + "".join(f"<item><title>{stars} stars</title><description>Acme review {i}</description>"
                       "<link>https://reviews.example/acme</link></item>" for i, stars in enumerate((5, 1, 3)))
             + "<item><guid>p</guid><title>Acme</title><description>one</description></item>"
             + "<item><guid>p</guid><title>Acme</title><description>two</description></item>")
    feed_server.routes["/feed"] = Route(_rss(items).encode())
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = _listener(feed_server.url("/feed"))
    outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (outcome.fetched, outcome.new, outcome.seen) == (6, 6, 0)
    assert any("1 entry repeated an entry listed before in the feed" in w for w in outcome.warnings)
    assert any("5 entries shared an id or link with entries of other text" in w for w in outcome.warnings)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as connection:
        texts = sorted(text for (text,) in connection.execute("SELECT text FROM mentions"))
        links = {url for (url,) in connection.execute("SELECT url FROM mentions WHERE title LIKE '%stars'")}
    assert texts == ["Acme refunded me", "Acme review 0", "Acme review 1", "Acme review 2", "one", "two"]
    assert links == {"https://reviews.example/acme"}
    again = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (again.fetched, again.new, again.seen) == (6, 0, 6)


def test_a_long_author_name_is_cut_to_the_column_not_fatal(feed_server: FeedServer, database_url: str) -> None:
    """A 420-character dc:creator stored as written (raw_authors) failed the whole batch on PostgreSQL."""
    names = ", ".join(f"Reviewer {i}" for i in range(40))
    feed_server.routes["/feed"] = Route(_rss(f"<item><guid>1</guid><title>Acme</title><author>x@example.com ({names})"
                                             "</author></item><item><guid>2</guid><title>Acme two</title>"
                                             "<author>Jo\n   Bloggs</author></item>").encode())
    engine = open_database(database_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(engine, _listener(feed_server.url("/feed")),
                             lambda ms: prepare_mentions(ms, matcher, raw_authors=True))
    assert outcome.new == 2
    with engine.connect() as connection:
        authors = [a for (a,) in connection.execute(select(mentions_table.c.author).order_by(mentions_table.c.external_id))]
    assert authors == [names[:255] + "\u2026", "Jo Bloggs"]


def test_control_characters_in_ids_and_links_are_dropped(feed_server: FeedServer, database_url: str) -> None:
    """A feed read leniently hands '&#0;' on as a NUL: in a guid or a link it failed the batch on PostgreSQL."""
    feed_server.routes["/feed"] = Route(_rss("<item><guid>a&#0;b&#1;c</guid><title>Acme&#0;</title>"
                                             "<link>https://e.example/a&#0;b</link></item>").encode())
    engine = open_database(database_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(engine, _listener(feed_server.url("/feed")), lambda ms: prepare_mentions(ms, matcher))
    assert outcome.new == 1
    with engine.connect() as connection:
        row = connection.execute(select(mentions_table.c.external_id, mentions_table.c.url)).one()
    assert tuple(row) == ("abc", "https://e.example/ab")


def test_entries_back_under_new_guids_are_not_stored_again(feed_server: FeedServer, sqlite_url: str) -> None:
    """A feed that makes its guids afresh on each fetch (a timestamp in them) had every entry stored again, each run."""
    item = ("<item><guid>https://reviews.example/{0}?t={1}</guid><title>Acme review {0}</title>"
            "<description>Acme text {0}</description><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>")
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = _listener(feed_server.url("/feed"))

    def collect(items: str) -> tuple[int, int, list[str]]:
        feed_server.routes["/feed"] = Route(_rss(items).encode())
        outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
        return outcome.new, outcome.seen, outcome.warnings

    assert collect(item.format(1, 100) + item.format(2, 100)) == (2, 0, [])
    new, seen, warnings = collect(item.format(3, 200) + item.format(1, 200) + item.format(2, 200))
    assert (new, seen) == (1, 2)
    assert warnings == ["2 entries came back under a new id with the same title, text and author (the feed makes its "
                        "ids afresh); kept under the earlier id, not stored again"]
    new, seen, warnings = collect(item.format(3, 300) + item.format(1, 300) + item.format(2, 300))
    assert (new, seen, [w[:30] for w in warnings]) == (0, 3, ["1 entry came back under a new "])  # review 3's first
    assert collect(item.format(3, 400) + item.format(1, 400) + item.format(2, 400)) == (0, 3, [])  # said once
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as connection:
        ids = sorted(i for (i,) in connection.execute("SELECT external_id FROM mentions"))
    assert ids == ["https://reviews.example/1?t=100", "https://reviews.example/2?t=100", "https://reviews.example/3?t=200"]


def test_credentials_in_a_feed_url_stay_out_of_messages_logs_links_and_the_database(
    feed_server: FeedServer, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A feed URL's user, password and token are masked in failures and logs, and never stored."""
    path = "/feed?token=tok3nvalue&q=acme"
    secret_url = feed_server.base.replace("http://", "http://alice:s3cretpass@") + path
    item = "<item><guid isPermaLink='false'>1</guid><title>Acme review</title><link>#c1</link></item>"
    body = _rss(item).replace("<link>http://example.com/</link>", "").encode()  # links resolve against the URL
    feed_server.routes[path] = Route(body, etag='"v1"', failures=[Failure(503), Failure(503)])
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = _listener(secret_url, retries=1, backoff=0)
    caplog.set_level("INFO", logger="journeywatch")
    with pytest.raises(SourceError) as caught:
        collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert f"from http://****@127.0.0.1:{feed_server.port}/feed?token=****&q=acme" in caught.value.reason
    outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert outcome.new == 1
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as connection:
        stored = "\n".join(connection.iterdump())
        (link,) = connection.execute("SELECT url FROM mentions").fetchone()
    assert link == f"{feed_server.base}/feed?q=acme#c1"
    for secret in ("alice", "s3cretpass", "tok3nvalue"):
        assert secret not in caught.value.reason and secret not in caplog.text and secret not in stored
    assert [b.mentions for b in listener.fetch(get_watermark(engine, "feed"))] == [[]]  # the fingerprint still sends the ETag


def test_html_page_naming_its_feed_shows_that_feed_url_masked(feed_server: FeedServer) -> None:
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/f.rss?key=k3yvalue"></head></html>'
    feed_server.routes["/page"] = Route(page, content_type="text/html")
    with pytest.raises(SourceError) as caught:
        list(_listener(feed_server.url("/page")).fetch(None))
    assert caught.value.reason.endswith(f"use url: {feed_server.base}/f.rss?key=**** (gave up after 4 attempts)")


def test_dates_naming_a_zone_feedparser_does_not_know(feed_server: FeedServer) -> None:
    """feedparser reads 'CET', 'BST', 'JST' as UTC: European and Asian sites' entries were hours off."""
    dates = ["Wed, 18 Nov 2026 10:00:00 CET", "Sat, 18 Jul 2026 10:00:00 BST", "18 Nov 2026 10:00 JST",
             "Wed, 18 Nov 2026 10:00:00 EST"]
    feed_server.routes["/feed"] = Route(_rss("".join(f"<item><guid>{i}</guid><title>Acme</title><pubDate>{d}</pubDate>"
                                                     "</item>" for i, d in enumerate(dates))).encode())
    got = [m.created_at.isoformat() for b in _listener(feed_server.url("/feed")).fetch(None) for m in b.mentions]
    assert got == ["2026-11-18T09:00:00+00:00", "2026-07-18T09:00:00+00:00", "2026-11-18T01:00:00+00:00",
                   "2026-11-18T15:00:00+00:00"]


def test_dates_feedparser_half_reads_or_misses(feed_server: FeedServer) -> None:
    """Ruby's '2026-11-18 10:00:00 UTC' kept its day and lost its time (no warning); a German day name ('Mi,') or
    no space after the comma gave no date at all."""
    dates = ["2026-11-18 10:00:00 UTC", "2026-11-18 10:00:00 CET", "2026-11-18T10:00 PST", "Mi, 18 Nov 2026 10:00:00 +0100",
             "Wed,18 Nov 2026 10:00:00 GMT", "Sa., 18 Jul 2026 10:00:00 BST", "Wed, 18 Nov 2026 10:00:00 GMT"]
    feed_server.routes["/feed"] = Route(_rss("".join(f"<item><guid>{i}</guid><title>Acme</title><pubDate>{d}</pubDate>"
                                                     "</item>" for i, d in enumerate(dates))).encode())
    (batch,) = _listener(feed_server.url("/feed")).fetch(None)
    assert [m.created_at.isoformat() for m in batch.mentions] == [
        "2026-11-18T10:00:00+00:00", "2026-11-18T09:00:00+00:00", "2026-11-18T18:00:00+00:00",
        "2026-11-18T09:00:00+00:00", "2026-11-18T10:00:00+00:00", "2026-07-18T09:00:00+00:00",
        "2026-11-18T10:00:00+00:00"]
    assert batch.warnings == []


def test_an_rfc_822_date_with_an_english_day_name_and_no_zone_is_read_in_utc(feed_server: FeedServer) -> None:
    """'Wed, 18 Nov 2026 10:00:00', as feed scripts print a local time, alone had no date (the fetch time, with a
    warning; of unknown date on a first reading), while 'Mi, ...' and '18 Nov 2026 10:00:00' were read as UTC."""
    dates = ["Wed, 18 Nov 2026 10:00:00", "Wed, 18 Nov 2026 10:00", "Mi, 18 Nov 2026 10:00:00",
             "Wed, 18 Nov 2026 10:00:00 +01:00", "Wed, 18 Nov 2026 10:00:00 CET"]  # zones read as before
    feed_server.routes["/feed"] = Route(_rss("".join(f"<item><guid>{i}</guid><title>Acme</title><pubDate>{d}</pubDate>"
                                                     "</item>" for i, d in enumerate(dates))).encode())
    (batch,) = _listener(feed_server.url("/feed")).fetch(None)
    assert [m.created_at.isoformat() for m in batch.mentions] == [
        "2026-11-18T10:00:00+00:00", "2026-11-18T10:00:00+00:00", "2026-11-18T10:00:00+00:00",
        "2026-11-18T09:00:00+00:00", "2026-11-18T09:00:00+00:00"]
    assert all(m.date_known for m in batch.mentions) and batch.warnings == []


def test_an_entry_dated_over_a_day_ahead_gets_the_fetch_time(feed_server: FeedServer) -> None:
    """An event listing's date (or a zone gone wrong) put items in weeks that had not begun."""
    feed_server.routes["/feed"] = Route(_rss(
        "<item><guid>soon</guid><title>Acme</title><pubDate>Fri, 20 Nov 2026 20:00:00 GMT</pubDate></item>"
        "<item><guid>later</guid><title>Acme</title><pubDate>Fri, 18 Nov 2099 10:00:00 GMT</pubDate></item>").encode())
    batches = list(_listener(feed_server.url("/feed")).fetch(None))
    assert [m.created_at for b in batches for m in b.mentions] == [datetime(2026, 11, 20, 20, tzinfo=timezone.utc),
                                                                   FETCH_TIME]
    assert "1 entry had no readable date (or one over a day ahead, or before 1990)" in batches[-1].warnings[0]


def test_a_placeholder_date_before_1990_gets_the_fetch_time(feed_server: FeedServer) -> None:
    """Hugo's 'Mon, 01 Jan 0001' for undated pages, the Unix epoch, a bare Unix time (read as the year 1763): stored
    as such, the entries fell outside every alert window and digest week."""
    dates = ["Mon, 01 Jan 0001 00:00:00 +0000", "1970-01-01T00:00:00Z", "1763632800", "Mon, 02 Jan 1995 10:00:00 GMT"]
    feed_server.routes["/feed"] = Route(_rss("".join(f"<item><guid>{i}</guid><title>Acme</title><pubDate>{d}</pubDate>"
                                                     "</item>" for i, d in enumerate(dates))).encode())
    batches = list(_listener(feed_server.url("/feed")).fetch(None))
    assert [m.created_at for b in batches for m in b.mentions] == [FETCH_TIME] * 3 + [
        datetime(1995, 1, 2, 10, tzinfo=timezone.utc)]
    assert "3 entries had no readable date (or one over a day ahead, or before 1990)" in batches[-1].warnings[0]


def test_an_entry_is_warned_about_once_not_on_every_fetch(feed_server: FeedServer) -> None:
    """A feed that never dates its entries (or repeats one) said so again on every fetch that was not a 304."""
    undated = "<item><guid>u{0}</guid><title>Acme {0}</title></item>"
    repeated = "<item><guid>r</guid><title>Acme r</title><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
    feed_server.routes["/feed"] = Route(_rss(undated.format(1) + repeated * 2).encode())  # no validators: 200 each time
    listener = _listener(feed_server.url("/feed"))
    first = list(listener.fetch(None))[-1]
    assert first.warnings[:2] == [
        "1 entry had no readable date (or one over a day ahead, or before 1990); the fetch time was used",
        "1 entry repeated an entry listed before in the feed (same id and text); read once"]
    again = list(listener.fetch(first.watermark))[-1]
    assert again.warnings == [] and len(again.mentions) == 2
    feed_server.routes["/feed"].body = _rss(undated.format(2) + undated.format(1) + repeated * 2).encode()
    third = list(listener.fetch(again.watermark))[-1]
    assert third.warnings == [
        "1 entry had no readable date (or one over a day ahead, or before 1990); the fetch time was used"]
    assert len(third.watermark["noted"]) == 3  # the entries still in the feed, nothing more
    other = _listener(feed_server.url("/feed?page=1"))  # another URL: its own warnings
    feed_server.routes["/feed?page=1"] = feed_server.routes["/feed"]
    assert len(list(other.fetch(third.watermark))[-1].warnings) == 2


def test_entry_dates_out_of_range_roll_over_as_timegm_does() -> None:
    """Dates are built directly from feedparser's UTC struct_time; a leap second still gives a time, not an error."""
    usual = time.struct_time((2026, 6, 30, 23, 59, 59, 1, 181, 0))
    leap = time.struct_time((2026, 6, 30, 23, 59, 60, 1, 181, 0))
    assert _entry_time({"published_parsed": usual}) == datetime(2026, 6, 30, 23, 59, 59, tzinfo=timezone.utc)
    assert _entry_time({"updated_parsed": leap}) == datetime(2026, 7, 1, tzinfo=timezone.utc)
    assert _entry_time({}) is None


@pytest.mark.parametrize("link", [
    "https://example.com/a", "http://example.com/a?b=c", "HTTP://example.com/a", " https://example.com/a",
    "https://exa\tmple.com/a", "1234567890", "tag:example.com,2026:1", "mailto:a@example.com", "ftp://example.com/x",
    "//example.com/a", "https://www.google.com/url?rct=j&url=https://example.com/story&ct=ga",
    "https://www.goo\ngle.com/url?url=https://example.com/story", "https://google.com/url?q=http://example.com/q",
    "https://google.com/url?url=javascript:alert(1)", "https://news.google.com/articles/x",
])
def test_entry_links_read_as_urlsplit_reads_them(link: str) -> None:
    """The shortcuts past urlsplit (http(s) prefix, no colon, no google.com) give urlsplit's answers."""
    url = None
    if urlsplit(link).scheme in ("http", "https"):
        url, parts = link, urlsplit(link)
        if parts.netloc in ("www.google.com", "google.com") and parts.path == "/url":
            target = (parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q") or [""])[0]
            url = target if urlsplit(target).scheme in ("http", "https") else link
    assert entry_url({"link": link}, "") == url


@pytest.mark.parametrize("link", ["http://[::1", "https://[not-an-address]/x", "//host[/x", "[::1]"])
def test_links_urlsplit_refuses_still_make_the_entry_unreadable(link: str) -> None:
    """No shortcut accepts a URL urlsplit would refuse: such an entry is skipped as unreadable, as before."""
    try:
        urlsplit(link)
    except ValueError:
        with pytest.raises(ValueError):
            entry_url({"link": link}, "")
    else:
        entry_url({"link": link}, "")
