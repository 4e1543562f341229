"""A Reddit answer that is a web page, not JSON, fails the source with a reason a user can act on.

A maintenance or CDN error page served with HTTP 200, or an `oauth_url` set to the web site
(https://www.reddit.com) instead of the API, gave the reason 'HTTP 200 from Reddit', which reads as success.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.local import LocalHTTPServer, QuietHandler, running

ENV = {"REDDIT_CLIENT_ID": "qa-id", "REDDIT_CLIENT_SECRET": "qa-secret-value", "REDDIT_USER_AGENT": "journeywatch-qa/1"}
PAGE = b"<!doctype html><html><body><h1>Our CDN was unable to reach our servers</h1></body></html>"


class _PageServer(QuietHandler):
    """A token endpoint, then an HTML page (HTTP 200) for every API call, as a site in maintenance answers."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(json.dumps({"access_token": "qa-token-value", "token_type": "bearer", "expires_in": 86400,
                                 "scope": "*"}).encode(), "application/json; charset=UTF-8")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answer(PAGE, "text/html; charset=UTF-8")

    def _answer(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def page_server() -> Iterator[LocalHTTPServer]:
    with running(LocalHTTPServer(_PageServer)) as server:
        yield server


def test_an_html_page_instead_of_json_names_what_came_back_and_what_to_check(page_server: LocalHTTPServer) -> None:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "travel", "subreddits": ["travel"],
                                            "oauth_url": page_server.base, "reddit_url": page_server.base,
                                            "retries": 0})
    listener = RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda _: None, env=ENV)
    with pytest.raises(SourceError) as caught:
        list(listener.fetch(None))
    reason = caught.value.reason
    assert "not JSON" in reason and "text/html" in reason and "oauth_url" in reason
    assert f"{page_server.base}/r/travel/new" in reason  # the address that answered, without its query
    assert "HTTP 200 from Reddit" != reason
    assert "qa-secret-value" not in reason and "qa-token-value" not in reason
