"""A matched post Reddit lists with no comments is not asked for its comment tree.

Every matched post cost one /comments request, also those Reddit's listing counts none for (most new posts):
a first run over a subreddit with 450 matched posts made 450 such requests, a run's worth of Reddit's rate
limit, for nothing. The post is still tracked with its count of 0, so the comments written later are read by
the next runs as for any tracked thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.local import JSONHandler, LocalHTTPServer, running

ENV = {"REDDIT_CLIENT_ID": "qa-id", "REDDIT_CLIENT_SECRET": "qa-secret", "REDDIT_USER_AGENT": "journeywatch-qa/1"}
NOW = 1_790_000_000.0


def _listing(children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children), "children": children}}


class _Reddit(JSONHandler):
    """Token, r/kettles/new and /api/info with `posts`, /comments/ID/ with `trees`, r/kettles/comments with
    `listed`; GET paths in `asked`."""

    posts: ClassVar[list[dict[str, Any]]] = []
    trees: ClassVar[dict[str, list[dict[str, Any]]]] = {}
    listed: ClassVar[list[dict[str, Any]]] = []
    asked: ClassVar[list[str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 86400, "scope": "*"})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        self.asked.append(path)
        if path.startswith("/comments/"):
            pid = path.split("/")[2]
            post = next(p for p in self.posts if p["data"]["id"] == pid)
            self.answer(200, [_listing([post]), _listing(self.trees.get(pid, []))])
        elif path.rstrip("/") == "/r/kettles/comments":
            self.answer(200, _listing(self.listed))
        else:  # /r/kettles/new/, /api/info/
            self.answer(200, _listing(self.posts))


def _post(pid: str, comments: int) -> dict[str, Any]:
    return {"kind": "t3", "data": {"id": pid, "name": f"t3_{pid}", "title": f"Acme {pid}", "selftext": "",
                                   "author": "op", "subreddit": "kettles", "created_utc": NOW,
                                   "num_comments": comments, "permalink": f"/r/kettles/comments/{pid}/x/"}}


def _comment(cid: str, pid: str, body: str = "mine too") -> dict[str, Any]:
    return {"kind": "t1", "data": {"id": cid, "name": f"t1_{cid}", "body": body, "author": "fan",
                                   "replies": "", "parent_id": f"t3_{pid}", "link_id": f"t3_{pid}",
                                   "created_utc": NOW + 60, "subreddit": "kettles", "depth": 0}}


@pytest.fixture
def reddit() -> Iterator[LocalHTTPServer]:
    _Reddit.posts = [_post("quiet", 0), _post("busy", 1)]
    _Reddit.trees = {"busy": [_comment("b1", "busy")]}
    _Reddit.listed = []
    _Reddit.asked = []
    with running(LocalHTTPServer(_Reddit)) as server:
        yield server


def _fetch(server: LocalHTTPServer, watermark: dict[str, Any] | None,
           subreddit_comments: bool = False) -> tuple[list[str], dict[str, Any]]:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base, "search": False,
                                            "subreddit_comments": subreddit_comments})
    batches = list(RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None, env=ENV,
                                  clock=lambda: NOW + 600).fetch(watermark))
    return sorted(m.external_id for batch in batches for m in batch.mentions), batches[-1].watermark


def test_a_post_without_comments_is_not_asked_for_them_and_its_later_replies_are_read(
        reddit: LocalHTTPServer) -> None:
    first, watermark = _fetch(reddit, None)
    assert first == ["t1_b1", "t3_busy", "t3_quiet"]
    assert [path for path in _Reddit.asked if path.startswith("/comments/")] == ["/comments/busy/"]
    assert watermark["threads"]["t3_quiet"]["comments"] == 0
    _Reddit.posts[0] = _post("quiet", 1)
    _Reddit.trees["quiet"] = [_comment("q1", "quiet")]
    second, _ = _fetch(reddit, watermark)
    assert second == ["t1_q1", "t3_quiet"]  # the post read again with its thread (an edit is taken)


def test_a_new_reply_in_a_revisited_thread_that_the_comment_listing_also_lists_is_fetched_once(
        reddit: LocalHTTPServer) -> None:
    """The listing read it first and the thread's second reading gave it again: the run counted it twice."""
    _, watermark = _fetch(reddit, None, subreddit_comments=True)
    reply = _comment("b2", "busy", body="acme kettle died after a week")
    _Reddit.posts[1] = _post("busy", 2)
    _Reddit.trees["busy"].append(reply)
    _Reddit.listed = [reply]
    second, _ = _fetch(reddit, watermark, subreddit_comments=True)
    assert second == ["t1_b1", "t1_b2", "t3_busy"]  # the thread read again whole, its post too (storage drops
    # b1 and the post, stored already)
