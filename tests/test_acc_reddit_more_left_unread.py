"""A thread deeper than `replace_more_limit` ("continue this thread" links past the bound, a "load more comments"
after them) kept only what the bounded expansions loaded and said nothing, so a run summary looked complete
while replies were left on Reddit. Now a warning names the post and how many links were left unread."""

from __future__ import annotations

from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from tests.servers.reddit import Comment, Post, RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "test-id", "REDDIT_CLIENT_SECRET": "test-secret", "REDDIT_USER_AGENT": "journeywatch-tests/1"}
T0 = 1_790_000_000.0


def _read(server: RedditServer, limit: int) -> tuple[set[str], list[str]]:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base, "backoff": 0.01,
                                            "replace_more_limit": limit, "subreddit_comments": False,
                                            "search": False})
    ids, warnings = set(), []
    for batch in RedditListener(settings, [Brand(name="Acme", query="acme")], sleep=lambda s: None,
                                env=ENV).fetch(None):
        ids |= {m.external_id for m in batch.mentions}
        warnings += batch.warnings
    return ids, warnings


def test_links_past_the_bound_are_named(reddit_server: RedditServer) -> None:
    post = Post(id="deep", subreddit="kettles", title="Acme kettle thread", created=T0)
    top = comment = Comment("k0", "level 0", T0 + 1)
    for depth in range(1, 10):  # every level behind its own "continue this thread" link
        comment.replies = [Comment(f"k{depth}", f"level {depth}", T0 + 1 + depth, continued=True)]
        comment = comment.replies[0]
    post.comments = [top]
    reddit_server.posts.append(post)
    ids, warnings = _read(reddit_server, limit=3)
    assert {f"t1_k{d}" for d in range(5)} <= ids and "t1_k5" not in ids  # bounded, as documented
    assert any("t3_deep" in w and "1 'load more comments' or 'continue this thread' link left unread" in w
               and "replace_more_limit 3" in w for w in warnings), warnings
    ids, warnings = _read(reddit_server, limit=20)
    assert {f"t1_k{d}" for d in range(10)} <= ids and not any("left unread" in w for w in warnings)
