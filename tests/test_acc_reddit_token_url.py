"""A network error getting Reddit's access token says that the token comes from `reddit_url`.

A source with `oauth_url` pointed at a proxy and `reddit_url` left out failed with 'network error calling
https://www.reddit.com (ConnectionError)': the user had pointed the source at their proxy and could not tell
why Reddit's own site was called. The token request goes to `reddit_url`, so the message says so.
"""

from __future__ import annotations

import socket

import pytest

from journeywatch.errors import SourceError
from tests.servers.reddit import RedditServer, reddit_server  # noqa: F401
from tests.test_fix4_reddit_deleted_later import _listener, thread  # noqa: F401


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_token_request_names_reddit_url(thread: RedditServer) -> None:
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    listener = _listener(thread, reddit_url=nowhere, retries=0)
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    message = str(caught.value)
    assert f"network error calling {nowhere} for an access token (the source's reddit_url)" in message, message


def test_a_listing_request_does_not_name_reddit_url(thread: RedditServer) -> None:
    nowhere = f"http://127.0.0.1:{_closed_port()}"
    listener = _listener(thread, oauth_url=nowhere, retries=0)
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    message = str(caught.value)
    assert f"network error calling {nowhere}" in message and "access token" not in message, message
