"""A 429 that says when Reddit's rate-limit window resets (x-ratelimit-reset) but sends no Retry-After.

prawcore's own TooManyRequests notes the header 'may' be there. Without it the retries waited only the short
backoff (1, 2, 4 s), all inside the used-up window, and the source failed though the window reset in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.local import JSONHandler, LocalHTTPServer, running

ENV = {"REDDIT_CLIENT_ID": "qa-id", "REDDIT_CLIENT_SECRET": "qa-secret", "REDDIT_USER_AGENT": "journeywatch-qa/1"}
POST = {"kind": "t3", "data": {"id": "a1", "name": "t3_a1", "title": "Acme kettle review", "selftext": "fine",
                               "author": "someone", "subreddit": "kettles", "created_utc": 1_790_000_000.5,
                               "permalink": "/r/kettles/comments/a1/x/", "over_18": False, "stickied": False}}


class _Throttled(JSONHandler):
    """Token endpoint; /r/kettles/new answers 429 `throttled` times (window used up, resets in 12 s), then a post."""

    throttled: ClassVar[list[int]] = [2]

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 86400, "scope": "*"}, {})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.throttled[0] > 0:
            self.throttled[0] -= 1
            self.answer(429, {"message": "Too Many Requests", "error": 429},
                         {"x-ratelimit-remaining": "0", "x-ratelimit-used": "1000", "x-ratelimit-reset": "12"})
            return
        self.answer(200, {"kind": "Listing", "data": {"after": None, "before": None, "dist": 1, "children": [POST]}},
                     {"x-ratelimit-remaining": "999.0", "x-ratelimit-used": "1", "x-ratelimit-reset": "588"})


@pytest.fixture
def throttled() -> Iterator[LocalHTTPServer]:
    _Throttled.throttled[0] = 2
    with running(LocalHTTPServer(_Throttled)) as server:
        yield server


def _listener(server: LocalHTTPServer, sleeps: list[float], **extra: object) -> RedditListener:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base, "comments": False,
                                            "search": False, "backoff": 0.01, **extra})
    return RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=sleeps.append, env=ENV)


def test_a_429_without_retry_after_waits_for_the_rate_limit_reset(throttled: LocalHTTPServer) -> None:
    sleeps: list[float] = []
    batches = list(_listener(throttled, sleeps, retries=2, max_delay=30).fetch(None))
    assert [m.external_id for batch in batches for m in batch.mentions] == ["t3_a1"]
    assert sleeps[:2] == [12, 12]  # the window's reset, not the 0.01 s backoff


def test_the_reset_wait_is_still_capped_by_max_delay(throttled: LocalHTTPServer) -> None:
    sleeps: list[float] = []
    list(_listener(throttled, sleeps, retries=2, max_delay=5).fetch(None))
    assert sleeps[:2] == [5, 5]
