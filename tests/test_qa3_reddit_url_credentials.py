"""A user and password written in a reddit source's `oauth_url` (a proxy that asks for them) stay out of its failure.

The reason for a refused connection named the server as `scheme://netloc`, password and all, and that reason is
printed in the run's summary and stored with the run.
"""

from __future__ import annotations

import socket

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource

ENV = {"REDDIT_CLIENT_ID": "qa-id", "REDDIT_CLIENT_SECRET": "qa-secret", "REDDIT_USER_AGENT": "journeywatch-qa/1"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_names_the_server_without_its_password() -> None:
    url = f"http://jw:proxy-pass-123@127.0.0.1:{_closed_port()}"
    settings = RedditSource.model_validate({"kind": "reddit", "name": "travel", "subreddits": ["travel"],
                                            "oauth_url": url, "reddit_url": url, "retries": 0})
    with pytest.raises(SourceError) as caught:
        list(RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None, env=ENV).fetch(None))
    reason = caught.value.reason
    assert "network error calling http://" in reason and "127.0.0.1" in reason
    assert "proxy-pass-123" not in reason and "jw:" not in reason
