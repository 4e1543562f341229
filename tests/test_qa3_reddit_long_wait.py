"""Reddit asking for a wait longer than the source's `max_delay` says so in the failure.

A 429 with Retry-After: 3600 (or a rate-limit window resetting in an hour) was retried after `max_delay` and
then failed as 'HTTP 429 from Reddit (gave up after 4 attempts)', with no word of what Reddit asked for; the
feeds say it since 6dc0b7e.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.local import JSONHandler, LocalHTTPServer, running

ENV = {"REDDIT_CLIENT_ID": "qa-id", "REDDIT_CLIENT_SECRET": "qa-secret", "REDDIT_USER_AGENT": "journeywatch-qa/1"}


class _Busy(JSONHandler):
    """A token endpoint, then 429 with `headers` for every API call."""

    headers_sent: ClassVar[dict[str, str]] = {}

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer(200, {"access_token": "t", "token_type": "bearer", "expires_in": 86400, "scope": "*"}, {})

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.answer(429, {"message": "Too Many Requests", "error": 429}, self.headers_sent)


@pytest.fixture
def busy() -> Iterator[LocalHTTPServer]:
    with running(LocalHTTPServer(_Busy)) as server:
        yield server


def _reason(server: LocalHTTPServer, headers: dict[str, str]) -> str:
    _Busy.headers_sent = headers
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base, "retries": 1,
                                            "max_delay": 30})
    with pytest.raises(SourceError) as caught:
        list(RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None, env=ENV).fetch(None))
    return caught.value.reason


def test_a_retry_after_over_max_delay_is_named(busy: LocalHTTPServer) -> None:
    reason = _reason(busy, {"Retry-After": "3600"})
    assert reason.startswith("HTTP 429 from Reddit")
    assert "asked to wait 3600 s (Retry-After)" in reason and "max_delay (30 s)" in reason
    assert "next run" in reason


def test_a_rate_limit_reset_over_max_delay_is_named(busy: LocalHTTPServer) -> None:
    reason = _reason(busy, {"x-ratelimit-remaining": "0", "x-ratelimit-used": "1000", "x-ratelimit-reset": "540"})
    assert "asked to wait 540 s (x-ratelimit-reset)" in reason


def test_a_short_wait_adds_nothing(busy: LocalHTTPServer) -> None:
    assert _reason(busy, {"Retry-After": "2"}) == "HTTP 429 from Reddit (gave up after 2 attempts)"
