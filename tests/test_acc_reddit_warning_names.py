"""The run summary names a Reddit listing in words, as its other messages do, not by its watermark key.

A thread holding a deleted and a removed comment gave '! reddit-home: new:kettles: 2 deleted, removed or undated
items not stored': 'new:kettles' is how the watermark keys the listing; a failed listing reads 'r/kettles'.
"""

from __future__ import annotations

from journeywatch.listeners.reddit import _listing_name
from tests.servers.reddit import Comment, RedditServer, reddit_server  # noqa: F401
from tests.test_fix4_reddit_deleted_later import T0, _listener, thread  # noqa: F401


def _warnings(server: RedditServer, **extra: object) -> list[str]:
    return [warning for batch in _listener(server, **extra).fetch(None) for warning in batch.warnings]


def test_deleted_items_of_a_subreddit_are_named_by_the_subreddit(thread: RedditServer) -> None:
    post = thread.posts[0]
    post.comments += [Comment("c2", "[deleted]", T0 + 90, author=None), Comment("c3", "[removed]", T0 + 95)]
    warnings = _warnings(thread)
    assert "r/kettles: 2 deleted, removed or undated items not stored" in warnings, warnings
    assert not any("new:" in warning for warning in warnings), warnings


def test_listing_names_read_as_words() -> None:
    """The other listings' keys, as the same warning gives them."""
    assert _listing_name("comments:kettles") == "the comments of r/kettles"
    assert _listing_name("search:kettles:Acme") == "the search of r/kettles for Acme"
