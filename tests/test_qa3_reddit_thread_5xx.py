"""One thread whose comments Reddit keeps failing (a megathread's 504, a 'load more comments' that 500s).

The failure, after the retries, failed the whole source and nothing of it was committed, so every later run
read the same post, failed on the same thread and stored nothing: the newer posts, the searches and the
comment listings of that source stalled for as long as the thread failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.local import JSONHandler, LocalHTTPServer, running

ENV = {"REDDIT_CLIENT_ID": "qa-id", "REDDIT_CLIENT_SECRET": "qa-secret", "REDDIT_USER_AGENT": "journeywatch-qa/1"}
NOW = 1_790_000_000.0


def _post(pid: str, title: str, created: float, comments: int) -> dict[str, Any]:
    return {"kind": "t3", "data": {"id": pid, "name": f"t3_{pid}", "title": title, "selftext": "", "author": "op",
                                   "subreddit": "kettles", "created_utc": created, "num_comments": comments,
                                   "permalink": f"/r/kettles/comments/{pid}/x/", "over_18": False,
                                   "stickied": False}}


def _comment(cid: str, pid: str, body: str, created: float) -> dict[str, Any]:
    return {"kind": "t1", "data": {"id": cid, "name": f"t1_{cid}", "body": body, "author": "fan", "replies": "",
                                   "parent_id": f"t3_{pid}", "link_id": f"t3_{pid}", "created_utc": created,
                                   "permalink": f"/r/kettles/comments/{pid}/x/{cid}/", "subreddit": "kettles",
                                   "depth": 0}}


def _listing(children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children), "children": children}}


POSTS = [_post("big", "Acme megathread", NOW, 3), _post("calm", "Acme kettle review", NOW - 60, 1)]
TREES = {
    "big": [_comment("b1", "big", "first", NOW + 1),
            {"kind": "more", "data": {"count": 2, "name": "t1_b2", "id": "b2", "parent_id": "t3_big", "depth": 0,
                                      "children": ["b2", "b3"]}}],
    "calm": [_comment("c1", "calm", "works fine", NOW - 30)],
}


class _Reddit(JSONHandler):
    """Token, r/kettles/new, comment trees, and /api/morechildren/ and `broken` paths answering 500."""

    broken: ClassVar[set[str]] = set()
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = urlsplit(self.path).path
        self.seen.append(path)
        if path.startswith("/api/v1/access_token"):
            self.answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
        else:  # /api/morechildren/: a server error, every time
            self.answer(500, {"message": "Internal Server Error", "error": 500})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        self.seen.append(path)
        if any(path.startswith(prefix) for prefix in self.broken):
            self.answer(504, {"message": "Gateway Timeout", "error": 504})
        elif path.startswith("/r/kettles/new"):
            self.answer(200, _listing(POSTS))
        elif path.startswith("/api/info"):
            self.answer(200, _listing(POSTS))
        elif path.startswith("/comments/"):
            pid = path.split("/")[2]
            post = next(p for p in POSTS if p["data"]["id"] == pid)
            self.answer(200, [_listing([post]), _listing(TREES[pid])])
        else:
            self.answer(404, {"message": "Not Found", "error": 404})


@pytest.fixture
def reddit() -> Iterator[LocalHTTPServer]:
    _Reddit.broken = set()
    _Reddit.seen = []
    with running(LocalHTTPServer(_Reddit)) as server:
        yield server


def _listener(server: LocalHTTPServer) -> RedditListener:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base, "search": False,
                                            "subreddit_comments": False, "retries": 1, "backoff": 0.01})
    return RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None, env=ENV,
                          clock=lambda: NOW + 600)


def _ids(batches: list[Any]) -> list[str]:
    return sorted(m.external_id for batch in batches for m in batch.mentions)


def test_a_thread_whose_more_comments_keep_failing_does_not_stall_the_source(reddit: LocalHTTPServer) -> None:
    batches = list(_listener(reddit).fetch(None))
    assert _ids(batches) == ["t1_b1", "t1_c1", "t3_big", "t3_calm"]  # what loaded is kept, the other post read
    warnings = [w for batch in batches for w in batch.warnings]
    assert any("t3_big" in w and "HTTP 500" in w and "next run" in w for w in warnings)
    watermark = batches[-1].watermark
    assert watermark["listings"]["new:kettles"]["id"] == "t3_big"  # the listing was read through: its mark moves
    assert watermark["threads"]["t3_big"]["comments"] is None  # read again by the next run, whatever Reddit counts
    assert watermark["threads"]["t3_calm"]["comments"] == 1


def test_a_thread_reddit_cannot_serve_is_read_again_by_the_next_run(reddit: LocalHTTPServer) -> None:
    _Reddit.broken = {"/comments/big/"}
    first = list(_listener(reddit).fetch(None))
    assert _ids(first) == ["t1_c1", "t3_big", "t3_calm"]
    assert any("t3_big" in w and "HTTP 504" in w for batch in first for w in batch.warnings)
    assert first[-1].watermark["threads"]["t3_big"]["comments"] is None
    _Reddit.broken = set()
    second = list(_listener(reddit).fetch(first[-1].watermark))
    assert "t1_b1" in _ids(second)  # the thread's comments, once Reddit serves them


def test_reddit_failing_every_thread_still_fails_the_source(reddit: LocalHTTPServer) -> None:
    """Not a thread's trouble but Reddit's: the source fails as before, its marks where they were."""
    many = [_post(f"p{i}", f"Acme post {i}", NOW - 100 - i, 1) for i in range(6)]
    POSTS.extend(many)
    try:
        _Reddit.broken = {"/comments/"}
        with pytest.raises(SourceError) as caught:
            list(_listener(reddit).fetch(None))
        assert "HTTP 504" in caught.value.reason
    finally:
        del POSTS[-len(many):]
