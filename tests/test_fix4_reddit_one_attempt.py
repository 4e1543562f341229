"""A Reddit source with `retries: 0` that fails says it gave up after "1 attempt", not "1 attempts"."""

from __future__ import annotations

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.reddit import Failure, RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "fix-id", "REDDIT_CLIENT_SECRET": "fix-secret", "REDDIT_USER_AGENT": "journeywatch-fix/1"}


def test_giving_up_with_no_retries_says_one_attempt(reddit_server: RedditServer) -> None:
    reddit_server.failures["/r/kettles/new"] = [Failure(500)]
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": reddit_server.base, "reddit_url": reddit_server.base,
                                            "search": False, "retries": 0})
    with pytest.raises(SourceError) as caught:
        list(RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None, env=ENV).fetch(None))
    assert "gave up after 1 attempt)" in str(caught.value)
