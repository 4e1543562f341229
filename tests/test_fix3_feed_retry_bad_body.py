"""A feed URL answering an HTML page or broken XML is fetched again within the source's retries (issue 3, Faults).

It failed at once, after one request: a CDN's error page or a feed file half-written by its generator,
served for a moment, cost the run that feed's new entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from sqlalchemy import select

from journeywatch.errors import SourceError
from journeywatch.flows.monitor import monitor_flow
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import Brand, FeedSource
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import source_runs
from tests.servers.local import LocalHTTPServer, QuietHandler, running

FEED = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Acme reviews</title>'
        b"<link>http://example.com/</link><description>d</description>"
        b"<item><guid>r1</guid><title>Acme kettle</title><pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate>"
        b"<description>The Acme kettle broke after a week</description></item>"
        b"<item><guid>r2</guid><title>Acme again</title><pubDate>Mon, 23 Nov 2026 11:00:00 GMT</pubDate>"
        b"<description>Acme support replaced it at once</description></item></channel></rss>")
PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
        b"<body><h1>Bad Gateway</h1><p>The origin did not answer.</p></body></html>")
BROKEN = b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Acme reviews</ti'  # cut off mid-write
FETCH_TIME = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


class TurnServer(LocalHTTPServer):
    """Serves the bodies of `answers` in turn at any path, the last one again and again; counts the requests."""

    def __init__(self) -> None:
        self.answers: list[tuple[bytes, str]] = []
        self.requests = 0
        super().__init__(self._handler(), quiet_disconnects=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests += 1
                body, content_type = server.answers[0] if len(server.answers) == 1 else server.answers.pop(0)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", f'"{len(body)}"')
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture
def turns() -> Iterator[TurnServer]:
    with running(TurnServer()) as server:
        yield server


def _listener(url: str, sleeps: list[float], **settings: object) -> FeedListener:
    config = FeedSource(kind="feed", name="reviews", url=url, source_kind="review", **settings)
    return FeedListener(config, sleep=sleeps.append, clock=lambda: FETCH_TIME)


@pytest.mark.parametrize(("bad", "content_type"), [(PAGE, "text/html; charset=utf-8"), (BROKEN, "application/rss+xml"),
                                                   (b"", "application/rss+xml")],
                         ids=["html-page", "broken-xml", "empty-body"])
def test_a_bad_body_served_once_is_fetched_again_and_the_feed_collected_in_the_same_run(
        turns: TurnServer, sqlite_url: str, bad: bytes, content_type: str) -> None:
    turns.answers = [(bad, content_type), (FEED, "application/rss+xml")]
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    sleeps: list[float] = []
    outcome = collect_source(engine, _listener(turns.base + "/reviews.rss", sleeps, backoff=0.5),
                             lambda batch: prepare_mentions(batch, matcher))
    assert (outcome.fetched, outcome.new) == (2, 2)
    assert turns.requests == 2 and sleeps == [0.5]
    assert get_watermark(engine, "reviews")["etag"] == f'"{len(FEED)}"'


def test_a_page_every_time_fails_after_the_sources_retries_with_its_reason(turns: TurnServer) -> None:
    turns.answers = [(PAGE, "text/html")]
    sleeps: list[float] = []
    with pytest.raises(SourceError) as caught:
        list(_listener(turns.base + "/reviews.rss", sleeps, retries=2, backoff=1, max_delay=1.5).fetch(None))
    assert caught.value.reason == ("the URL returned an HTML page, not an RSS or Atom feed; check the feed URL "
                                   "(gave up after 3 attempts)")
    assert turns.requests == 3 and sleeps == [1.0, 1.5]


def test_broken_xml_every_time_fails_that_source_alone_and_keeps_its_watermark(
        prefect_harness: None, turns: TurnServer, tmp_path: Path, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    url = turns.base + "/reviews.rss"
    turns.answers = [(FEED, "application/rss+xml")]
    collect_source(engine, _listener(url, []), lambda batch: prepare_mentions(batch, BrandMatcher(
        [Brand(name="Acme", query="acme")])))
    mark = get_watermark(engine, "reviews")
    assert mark and mark.get("etag")
    turns.answers, turns.requests = [(BROKEN, "application/rss+xml")], 0
    (tmp_path / "export.jsonl").write_text("".join(
        json.dumps({"id": f"e{n}", "text": text, "created_at": "2026-11-23T09:00:00Z"}) + "\n"
        for n, text in enumerate(["Acme lost my bag", "Acme checkout was painless"])), encoding="utf-8")
    (tmp_path / "jw.yaml").write_text(f"""
database: {sqlite_url}
brands: [{{name: Acme, query: acme}}]
sources:
  - {{name: reviews, kind: feed, url: "{url}", source_kind: review, retries: 2, backoff: 0}}
  - {{name: export, kind: file, path: export.jsonl}}
alerts: {{enabled: false}}
""", encoding="utf-8")

    summary = monitor_flow(str(tmp_path / "jw.yaml"))

    by_source = {s["source"]: s for s in summary["sources"]}
    assert by_source["export"]["status"] == "ok" and by_source["export"]["new"] == 2
    reviews = by_source["reviews"]
    assert reviews["status"] == "failed" and reviews["fetched"] == 0
    assert reviews["error"] == ("not a readable RSS or Atom feed (line 2, column 47: unclosed token) "
                                "(gave up after 3 attempts)"), reviews["error"]
    assert turns.requests == 3
    assert get_watermark(engine, "reviews") == mark
    with engine.connect() as connection:
        recorded = connection.execute(select(source_runs.c.status, source_runs.c.error).where(
            source_runs.c.source == "reviews")).one()
    assert recorded == ("failed", reviews["error"])
