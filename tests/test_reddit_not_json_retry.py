"""A Reddit answer that is not JSON (a proxy's or CDN's HTML page, a captcha page, served with 200) is fetched again
within the source's retries, with backoff, as a 429 or 5xx is.

It was reported as one a later run may retry, but the fetcher itself returned it to praw at once: one HTML
page served for a moment failed the source for the whole run after a single request.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from journeywatch.errors import SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import mentions as mentions_table
from tests.servers.local import running
from tests.servers.reddit import Post, RedditServer

ENV = {"REDDIT_CLIENT_ID": "nj-id", "REDDIT_CLIENT_SECRET": "nj-secret-value", "REDDIT_USER_AGENT": "journeywatch-nj/1"}
T0 = 1_790_000_000.0
ACME = Brand(name="Acme", query="acme")
PAGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
        b"<body><h1>Checking your browser before accessing reddit.com</h1></body></html>")
NEW = "/r/kettles/new"


class PageFirstServer(RedditServer):
    """The Reddit-shaped server, answering an HTML page (HTTP 200, text/html) to the first `pages[prefix]` GETs
    under a path prefix (-1: every one) before its JSON."""

    def __init__(self) -> None:
        self.pages: dict[str, int] = {}
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self
        json_handler = super()._handler()

        class Handler(json_handler):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = urlparse(self.path).path
                prefix = next((p for p, left in server.pages.items() if path.startswith(p) and left), None)
                if prefix is None:
                    return super().do_GET()
                if server.pages[prefix] > 0:
                    server.pages[prefix] -= 1
                server.requests.append(("GET", path, {}))
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self.wfile.write(PAGE)
                return None

        return Handler


@pytest.fixture
def kettles() -> Iterator[PageFirstServer]:
    with running(PageFirstServer()) as server:
        for i in range(6):
            about = "Acme" if i % 2 else "tea"
            server.posts.append(Post(id=f"p{i}", subreddit="kettles", title=f"Post {i} about {about}",
                                     created=T0 + i * 60))
        yield server


def _listener(server: RedditServer, sleeps: list[float], retries: int) -> RedditListener:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base, "search": False,
                                            "subreddit_comments": False, "retries": retries, "backoff": 0.5,
                                            "max_delay": 0.75})
    return RedditListener(settings, [ACME], sleep=sleeps.append, env=ENV, clock=lambda: T0 + 600)


def _stored(engine: object) -> list[str]:
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return sorted(connection.execute(select(mentions_table.c.external_id)).scalars())


def test_an_html_page_served_once_is_fetched_again_and_the_source_collected(
        kettles: PageFirstServer, sqlite_url: str) -> None:
    kettles.pages[NEW] = 1
    engine = open_database(sqlite_url)
    sleeps: list[float] = []
    outcome = collect_source(engine, _listener(kettles, sleeps, retries=1),
                             lambda batch: prepare_mentions(batch, BrandMatcher([ACME])))
    assert len(kettles.paths(NEW)) == 2  # the page, then the listing
    assert sleeps == [0.5]  # the source's backoff before the second attempt
    assert outcome.new == 3 and _stored(engine) == ["t3_p1", "t3_p3", "t3_p5"]
    assert get_watermark(engine, "reddit")["listings"]["new:kettles"]["id"] == "t3_p5"


def test_an_html_page_every_time_fails_the_source_after_its_retries_and_loses_nothing(
        kettles: PageFirstServer, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    prepare = lambda batch: prepare_mentions(batch, BrandMatcher([ACME]))  # noqa: E731
    collect_source(engine, _listener(kettles, [], retries=2), prepare)
    stored, mark = _stored(engine), get_watermark(engine, "reddit")
    assert stored == ["t3_p1", "t3_p3", "t3_p5"]
    kettles.posts.append(Post(id="fresh", subreddit="kettles", title="Acme again", created=T0 + 3600))
    kettles.pages[NEW] = -1
    before = len(kettles.paths(NEW))
    sleeps: list[float] = []
    with pytest.raises(SourceError) as caught:
        collect_source(engine, _listener(kettles, sleeps, retries=2), prepare)
    assert len(kettles.paths(NEW)) - before == 1 + 2  # the first attempt and the source's two retries
    assert sleeps == [0.5, 0.75]  # backoff doubling, capped at max_delay
    reason = caught.value.reason
    assert f"{kettles.base}{NEW}" in reason and "not JSON" in reason and "text/html" in reason
    assert reason.endswith("(gave up after 3 attempts)") and caught.value.retryable
    assert "nj-secret-value" not in reason
    assert _stored(engine) == stored and get_watermark(engine, "reddit") == mark
    kettles.pages.clear()  # Reddit is back: the next run reads what came meanwhile
    collect_source(engine, _listener(kettles, [], retries=2), prepare)
    assert _stored(engine) == sorted([*stored, "t3_fresh"])
