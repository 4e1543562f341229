"""The access token is asked of `reddit_url` (https://www.reddit.com), the listings of `oauth_url`. A web page
answering the token request (a login portal, a proxy's page, reddit_url set to a site) must point the user at
reddit_url: the reason said 'check oauth_url', the one setting that was right."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.local import LocalHTTPServer, QuietHandler, running
from tests.servers.reddit import RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "acc-id", "REDDIT_CLIENT_SECRET": "acc-secret-value", "REDDIT_USER_AGENT": "jw-acc/1"}
PAGE = b"<html><body><h1>Sign in to continue</h1></body></html>"


class _Portal(QuietHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture
def portal() -> Iterator[LocalHTTPServer]:
    with running(LocalHTTPServer(_Portal)) as server:
        yield server


def test_a_web_page_for_the_token_names_reddit_url(portal: LocalHTTPServer, reddit_server: RedditServer) -> None:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "travel", "subreddits": ["travel"],
                                            "oauth_url": reddit_server.base, "reddit_url": portal.base,
                                            "retries": 0})
    listener = RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None, env=ENV)
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    reason = caught.value.reason
    assert f"{portal.base}/api/v1/access_token" in reason and "not JSON" in reason
    assert "check reddit_url" in reason and "https://www.reddit.com" in reason
    assert "oauth_url" not in reason
    assert "acc-secret-value" not in reason
