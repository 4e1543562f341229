"""A Reddit comment or post stored while live, then deleted or removed, loses its stored words when read again.

A later run that re-read the thread saw `[deleted]` and skipped it: the row kept its text and author for ever,
and kept counting as talk about the brand. Now the row stays (so the item is not collected again) with no title,
text or author, no brand link, no classification, and is not classified again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine, func, insert, select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import classifications, mention_brands, mentions
from tests.servers.reddit import Comment, Post, RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "fix-id", "REDDIT_CLIENT_SECRET": "fix-secret", "REDDIT_USER_AGENT": "journeywatch-fix/1"}
T0 = 1_790_000_000.0
ACME = Brand(name="Acme", query="acme")


def _listener(server: RedditServer, **extra: object) -> RedditListener:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base, "backoff": 0.01,
                                            "search": False, "subreddit_comments": False, **extra})
    return RedditListener(settings, [ACME], sleep=lambda _: None, env=ENV, clock=lambda: T0 + 600)


def _run(engine: Engine, server: RedditServer) -> None:
    matcher = BrandMatcher([ACME])
    collect_source(engine, _listener(server), lambda batch: prepare_mentions(batch, matcher))


def _classify_all(engine: Engine) -> None:
    """Stand in for the classification step: every stored row gets a classification."""
    now = datetime.now(timezone.utc)
    with engine.begin() as connection:
        for mention_id in connection.execute(select(mentions.c.id)).scalars():
            connection.execute(insert(classifications).values(
                mention_id=mention_id, model_version="test", moment="usage", moment_confidence=0.9,
                sentiment="negative", sentiment_confidence=0.9, probabilities={}, classified_at=now))


def _row(engine: Engine, external_id: str) -> dict:
    with engine.connect() as connection:
        row = connection.execute(select(mentions).where(mentions.c.external_id == external_id)).mappings().one()
        links = connection.execute(select(func.count()).select_from(mention_brands)
                                   .where(mention_brands.c.mention_id == row["id"])).scalar()
        classified = connection.execute(select(func.count()).select_from(classifications)
                                        .where(classifications.c.mention_id == row["id"])).scalar()
    return {**row, "links": links, "classified": classified}


@pytest.fixture
def thread(reddit_server: RedditServer) -> Iterator[RedditServer]:
    post = Post(id="p1", subreddit="kettles", title="Acme kettle", created=T0, selftext="It leaks",
                author="op")
    post.comments = [Comment("c1", "Mine broke too, awful", T0 + 60, author="fan")]
    reddit_server.posts.append(post)
    yield reddit_server


@pytest.mark.parametrize("stand_in", ["[deleted]", "[removed]"])
def test_a_comment_deleted_after_it_was_stored_is_blanked(thread: RedditServer, database_url: str,
                                                          stand_in: str) -> None:
    engine = open_database(database_url)
    _run(engine, thread)
    _classify_all(engine)
    assert _row(engine, "t1_c1")["text"] == "Mine broke too, awful"
    post = thread.posts[0]
    post.comments[0].body, post.comments[0].author = stand_in, None
    post.comments.append(Comment("c2", "Acme replaced mine", T0 + 120))  # the thread grows: read again
    _run(engine, thread)
    row = _row(engine, "t1_c1")
    assert (row["text"], row["title"], row["author"]) == ("", None, None)
    assert (row["links"], row["classified"], row["lang_supported"]) == (0, 0, False)
    assert _row(engine, "t1_c2")["text"] == "Acme replaced mine"
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mentions)).scalar() == 3  # kept, not added
    _run(engine, thread)  # read once more: nothing changes, nothing comes twice
    assert _row(engine, "t1_c1")["text"] == ""


def test_a_post_removed_after_it_was_stored_is_blanked(thread: RedditServer, database_url: str) -> None:
    engine = open_database(database_url)
    _run(engine, thread)
    post = thread.posts[0]
    post.title, post.selftext, post.author = "[removed]", "[removed]", None
    post.extra = {"removed_by_category": "moderator"}
    post.comments.append(Comment("c2", "so many leaks", T0 + 120))
    _run(engine, thread)
    row = _row(engine, "t3_p1")
    assert (row["text"], row["title"], row["author"], row["links"], row["lang_supported"]) == ("", None, None, 0,
                                                                                              False)
    assert _row(engine, "t1_c1")["text"] == "Mine broke too, awful"  # a live comment keeps its words


def test_an_item_deleted_before_it_was_stored_is_not_stored(thread: RedditServer, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    _run(engine, thread)
    thread.posts[0].comments.append(Comment("c2", "[deleted]", T0 + 120, author=None))
    _run(engine, thread)
    with engine.connect() as connection:
        assert set(connection.execute(select(mentions.c.external_id)).scalars()) == {"t3_p1", "t1_c1"}

