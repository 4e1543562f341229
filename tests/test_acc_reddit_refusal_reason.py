"""Reddit says why it will not serve a subreddit (`{"reason": "private"}`, `"quarantined"`, `"banned"`); the
failed source's line names that reason, not a list of three it might be, so the user knows what to fix."""

from __future__ import annotations

import pytest

from journeywatch.errors import SourceError
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.reddit import Post, RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "test-id", "REDDIT_CLIENT_SECRET": "test-secret", "REDDIT_USER_AGENT": "journeywatch-tests/1"}
ACME = Brand(name="Acme", query="acme")


def test_each_refused_subreddit_is_named_with_reddits_reason(reddit_server: RedditServer) -> None:
    reddit_server.posts.append(Post(id="p1", subreddit="kettles", title="Acme kettle", created=1_790_000_000.0))
    reddit_server.private, reddit_server.quarantined = {"secretclub"}, {"edgy"}
    reddit_server.banned, reddit_server.forbidden = {"gone"}, {"proxied"}
    settings = RedditSource.model_validate({
        "kind": "reddit", "name": "reddit", "subreddits": ["secretclub", "edgy", "gone", "proxied", "kettles"],
        "oauth_url": reddit_server.base, "reddit_url": reddit_server.base, "backoff": 0.01, "comments": False})
    got = []
    with pytest.raises(SourceError) as caught:
        for batch in RedditListener(settings, [ACME], sleep=lambda s: None, env=ENV).fetch(None):
            got.extend(batch.mentions)
    reason = caught.value.reason
    assert "r/secretclub: private (HTTP 403)" in reason
    assert "r/edgy: quarantined (HTTP 403)" in reason
    assert "r/gone: banned (HTTP 404)" in reason
    assert "r/proxied: private, quarantined or banned (HTTP 403)" in reason  # no reason given: as before
    assert [m.external_id for m in got] == ["t3_p1"]  # the others are still read
