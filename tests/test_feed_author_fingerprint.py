"""A feed's watermark remembered each entry by a plain sha256 of its title, text and author's name: with the
database, anyone could test a guessed name against it, though the author column held only a keyed pseudonym."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.authors import AUTHOR_KEY_ENV
from journeywatch.settings import Brand
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.mentions import set_watermark
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.test_listeners_feeds import _listener, _rss

ITEM = ("<item><guid>https://reviews.example/{0}?t={1}</guid><title>Acme review {0}</title>"
        "<description>Acme text {0}</description><author>dana@example.com (Dana Example)</author>"
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>")
MATCHER = BrandMatcher([Brand(name="Acme", query="acme")])


def _plain_fingerprint(n: int, name: str) -> str:
    """What the watermark kept before: a guess at the author, checked with one sha256 and no key."""
    return hashlib.sha256(f"text\x1fAcme review {n}\x1fAcme text {n}\x1f{name}".encode()).hexdigest()[:16]


def _collect(feed_server: FeedServer, engine: object, stamp: int) -> tuple[int, int]:  # noqa: F811
    feed_server.routes["/feed"] = Route(_rss(ITEM.format(1, stamp) + ITEM.format(2, stamp)).encode())
    outcome = collect_source(engine, _listener(feed_server.url("/feed")), lambda ms: prepare_mentions(ms, MATCHER))
    return outcome.new, outcome.seen


def test_the_watermark_cannot_confirm_a_guessed_author(feed_server: FeedServer, sqlite_url: str,  # noqa: F811
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTHOR_KEY_ENV, "a-secret-key")
    engine = open_database(sqlite_url)
    assert _collect(feed_server, engine, 100) == (2, 0)

    remembered = (get_watermark(engine, "feed") or {})["ids_by_text"]
    assert len(remembered) == 2
    assert not {_plain_fingerprint(n, "Dana Example") for n in (1, 2)} & set(remembered)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as connection:
        dump = "\n".join(connection.iterdump()).casefold()
    assert "dana" not in dump
    assert _collect(feed_server, engine, 200) == (0, 2)  # back under new guids: still known by the fingerprint


def test_a_watermark_written_before_still_knows_its_entries(feed_server: FeedServer, sqlite_url: str,  # noqa: F811
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The first reading after the upgrade finds the entries by the old fingerprint, and writes the new one."""
    monkeypatch.setenv(AUTHOR_KEY_ENV, "a-secret-key")
    engine = open_database(sqlite_url)
    assert _collect(feed_server, engine, 100) == (2, 0)
    watermark = get_watermark(engine, "feed") or {}
    watermark["ids_by_text"] = {_plain_fingerprint(n, "Dana Example"): f"https://reviews.example/{n}?t=100"
                                for n in (1, 2)}
    with engine.begin() as connection:
        set_watermark(connection, "feed", watermark)

    assert _collect(feed_server, engine, 200) == (0, 2)
    assert not {_plain_fingerprint(n, "Dana Example") for n in (1, 2)} & set(get_watermark(engine, "feed")["ids_by_text"])
