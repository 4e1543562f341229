"""Reddit's search index lags: a post shows up in search minutes after it was written, after newer ones.

A brand search's mark is the newest post it has read, and the next run stopped at the first post older than
that: a post written a minute before the mark but indexed after the run was never read. With no subreddits
listed (site-wide), search is the only listing, so that post was lost for good.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.local import JSONHandler, LocalHTTPServer, running

ENV = {"REDDIT_CLIENT_ID": "qa-id", "REDDIT_CLIENT_SECRET": "qa-secret", "REDDIT_USER_AGENT": "journeywatch-qa/1"}
NOW = 1_790_000_000.0


def _post(pid: str, title: str, created: float) -> dict[str, Any]:
    return {"kind": "t3", "data": {"id": pid, "name": f"t3_{pid}", "title": title, "selftext": "", "author": "op",
                                   "subreddit": "travel", "created_utc": created, "num_comments": 0,
                                   "permalink": f"/r/travel/comments/{pid}/x/", "over_18": False,
                                   "stickied": False}}


class _Search(JSONHandler):
    """A token endpoint and a site-wide search answering `indexed`, newest first."""

    indexed: ClassVar[list[dict[str, Any]]] = []
    searched: ClassVar[list[str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        self.searched.append(url.path + "?" + "&".join(f"{k}={v[0]}" for k, v in parse_qs(url.query).items()))
        posts = sorted(self.indexed, key=lambda post: post["data"]["created_utc"], reverse=True)
        after = parse_qs(url.query).get("after", [None])[0]
        if after:
            names = [post["data"]["name"] for post in posts]
            posts = posts[names.index(after) + 1:] if after in names else []
        self.answer(200, {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(posts),
                                                  "children": posts}})


@pytest.fixture
def search() -> Iterator[LocalHTTPServer]:
    _Search.indexed = []
    _Search.searched = []
    with running(LocalHTTPServer(_Search)) as server:
        yield server


def _fetch(server: LocalHTTPServer, watermark: dict[str, Any] | None) -> tuple[list[str], dict[str, Any]]:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": [],
                                            "oauth_url": server.base, "reddit_url": server.base,
                                            "comments": False})
    batches = list(RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None,
                                  env=ENV).fetch(watermark))
    return [m.external_id for batch in batches for m in batch.mentions], batches[-1].watermark


def test_a_post_indexed_after_a_newer_one_is_still_read(search: LocalHTTPServer) -> None:
    _Search.indexed = [_post("old", "Acme a day ago", NOW - 86400), _post("late2", "Acme food", NOW)]
    first, watermark = _fetch(search, None)
    assert sorted(first) == ["t3_late2", "t3_old"]
    _Search.indexed.append(_post("late1", "Acme delays", NOW - 60))  # written before late2, indexed after it
    second, watermark = _fetch(search, watermark)
    assert second == ["t3_late1"]  # and late2, read before, is not read again
    third, _ = _fetch(search, watermark)
    assert third == []


def test_posts_older_than_the_lag_window_end_the_search(search: LocalHTTPServer) -> None:
    _Search.indexed = [_post(f"p{i}", f"Acme {i}", NOW - i * 7200) for i in range(5)]
    first, watermark = _fetch(search, None)
    assert len(first) == 5
    _Search.indexed.append(_post("new", "Acme new", NOW + 60))
    second, _ = _fetch(search, watermark)
    assert second == ["t3_new"]
