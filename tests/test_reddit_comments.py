"""A subreddit's new comments that name a brand under posts that do not, with the real praw client."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from journeywatch.errors import SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import mention_brands, mentions as mentions_table
from tests.servers.reddit import Comment, Failure, Post, RedditServer, reddit_server  # noqa: F401
from tests.test_listeners_reddit import ACME, ENV, T0, Sleeps, _listener

MATCHER = BrandMatcher([ACME])


@pytest.fixture
def grinders(reddit_server: RedditServer) -> Iterator[RedditServer]:
    """r/kettles: a question naming no brand, answered by name in a reply; a post about Acme with its thread."""
    question = Post(id="q", subreddit="kettles", title="Which kettle should I buy?", created=T0, selftext="budget 50")
    question.comments = [
        Comment("c1", "my Acme died after two months, avoid", T0 + 100),
        Comment("c2", "get a cheap one", T0 + 110, replies=[Comment("c7", "Acme support fixed mine", T0 + 120)]),
        Comment("c3", "[deleted]", T0 + 130, author=None),
        Comment("c4", "Posts about Acme go in the megathread. *I am a bot.*", T0 + 140, author="AutoModerator"),
    ]
    question.more = [Comment("c9", "the acme corp one leaks", T0 + 150)]
    review = Post(id="r", subreddit="kettles", title="Acme kettle review", created=T0 + 200, selftext="it boils")
    review.comments = [Comment("c5", "Acme is great", T0 + 300), Comment("c6", "agreed", T0 + 310)]
    reddit_server.posts += [question, review]
    yield reddit_server


def _rows(engine: Engine) -> dict[str, str | None]:
    """Stored items: external id -> parent id."""
    with engine.connect() as connection:
        return dict(connection.execute(select(mentions_table.c.external_id, mentions_table.c.parent_id)).all())


def _collect(engine: Engine, server: RedditServer, **extra: object) -> int:
    """New rows stored by one run of the source, prepared as the flows prepare them."""
    return collect_source(engine, _listener(server, **extra), lambda batch: prepare_mentions(batch, MATCHER)).new


def test_a_comment_naming_the_brand_under_a_post_that_does_not_is_stored_once(grinders: RedditServer,
                                                                              sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    fetched = [m for b in _listener(grinders).fetch(None) for m in b.mentions]
    ids = [m.external_id for m in fetched]
    assert len(ids) == len(set(ids))  # c5 is in its matched thread and in the listing: yielded once
    assert _collect(engine, grinders) == 6
    rows = _rows(engine)
    assert rows == {"t3_r": None, "t1_c5": "t3_r", "t1_c6": "t3_r",  # the matched post and its thread
                    "t1_c1": "t3_q", "t1_c7": "t3_q", "t1_c9": "t3_q"}  # named the brand under a post that did not
    by_id = {m.external_id: m for m in fetched}
    assert by_id["t1_c1"].url == f"{grinders.base}/r/kettles/comments/q/x/c1/" and by_id["t1_c1"].brands == ["Acme"]
    with engine.connect() as connection:
        links = connection.execute(select(func.count()).select_from(mention_brands)).scalar_one()
    assert links == 6 and grinders.paths("/r/kettles/comments/")


def test_a_rerun_stores_nothing_new_and_reads_one_page(grinders: RedditServer, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    assert _collect(engine, grinders) == 6
    before = len(grinders.paths("/r/kettles/comments/"))
    assert _collect(engine, grinders) == 0
    assert len(grinders.paths("/r/kettles/comments/")) == before + 1  # the mark stops the listing on its first page


def test_a_comment_written_after_the_first_run_is_collected(grinders: RedditServer, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    assert _collect(engine, grinders) == 6
    question = grinders.posts[0]
    question.comments.append(Comment("c10", "two years on my Acme, no complaints", T0 + 5000))
    question.comments[1].replies.append(Comment("c11", "a cheap one is fine", T0 + 5001))
    assert _collect(engine, grinders) == 1
    assert _rows(engine)["t1_c10"] == "t3_q" and "t1_c11" not in _rows(engine)
    mark = get_watermark(engine, "reddit")["listings"]["comments:kettles"]
    assert mark == {"created": T0 + 5001, "id": "t1_c11"}  # the newest comment read, stored or not


def test_deleted_bot_and_nsfw_comments(grinders: RedditServer) -> None:
    grinders.posts[0].over_18 = True
    batches = list(_listener(grinders).fetch(None))
    by_id = {m.external_id: m for b in batches for m in b.mentions}
    assert "t1_c3" not in by_id and "t1_c4" not in by_id  # deleted; AutoModerator's boilerplate
    assert by_id["t1_c1"].nsfw and not by_id["t1_c5"].nsfw
    assert sum(b.skipped for b in batches) == 0  # a deleted comment of the listing names no brand we can know


@pytest.mark.parametrize("setting", [{"subreddit_comments": False}, {"comments": False}, {"subreddits": []}])
def test_the_comment_listing_can_be_switched_off_and_is_not_read_site_wide(grinders: RedditServer,
                                                                           setting: dict[str, object]) -> None:
    ids = {m.external_id for b in _listener(grinders, **setting).fetch(None) for m in b.mentions}
    assert not grinders.paths("/r/kettles/comments") and "t1_c1" not in ids
    assert "t3_r" in ids


def test_a_rate_limit_on_the_comment_listing_is_honoured(grinders: RedditServer) -> None:
    grinders.failures["/r/kettles/comments"] = [Failure(429, retry_after="2")]
    sleeps = Sleeps()
    ids = {m.external_id for b in _listener(grinders, sleeps, max_delay=5).fetch(None) for m in b.mentions}
    assert {"t1_c1", "t1_c7", "t1_c9"} <= ids
    assert sleeps == [2.0] and not grinders.failures["/r/kettles/comments"]
    assert len(grinders.paths("/r/kettles/comments/")) == 2  # the refused request, then the answer


def test_a_subreddit_reddit_will_not_serve_is_not_asked_for_its_comments(grinders: RedditServer) -> None:
    grinders.private = {"secret"}
    with pytest.raises(SourceError, match="serve r/secret: private") as caught:
        list(_listener(grinders, subreddits=["secret", "kettles"]).fetch(None))
    assert "the comments of" not in caught.value.reason
    assert not grinders.paths("/r/secret/comments") and grinders.paths("/r/kettles/comments/")


def test_more_new_comments_than_the_limit_are_read_over_the_next_runs(grinders: RedditServer) -> None:
    listener = _listener(grinders, limit=10, search=False)
    mark = list(listener.fetch(None))[-1].watermark
    grinders.posts[0].comments += [Comment(f"n{i}", f"Acme take {i}", T0 + 10_000 + i) for i in range(25)]
    runs = []
    for _ in range(4):
        batches = list(listener.fetch(mark))
        mark = batches[-1].watermark
        runs.append([m.external_id for b in batches for m in b.mentions if m.external_id.startswith("t1_n")])
    assert [len(ids) for ids in runs] == [10, 10, 5, 0]
    assert sorted(i for ids in runs for i in ids) == sorted(f"t1_n{i}" for i in range(25))
    assert mark["listings"]["comments:kettles"] == {"created": T0 + 10_024, "id": "t1_n24"}


KILLED_CHILD = """
import sys, time
from journeywatch.errors import SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import RedditSource
from journeywatch.storage import open_database
from tests.test_listeners_reddit import ACME

engine = open_database(sys.argv[1])
settings = RedditSource(kind="reddit", name="reddit", subreddits=["kettles"], search=False, oauth_url=sys.argv[2],
                        reddit_url=sys.argv[2], backoff=0.01)
listener = RedditListener(settings, [ACME], batch_size=5)  # credentials from the environment
matcher = BrandMatcher([ACME])
comment_batches = 0

def prepare(batch):
    global comment_batches
    if any(m.external_id.startswith("t1_") for m in batch):
        comment_batches += 1
        if comment_batches == 2:
            time.sleep(600)  # the first comment batch is committed: the kill lands here
    return prepare_mentions(batch, matcher)

collect_source(engine, listener, prepare)
print("finished")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_run_killed_after_its_first_committed_batch_then_rerun_gives_exact_counts(reddit_server: RedditServer,
                                                                                     sqlite_url: str) -> None:
    for i in range(30):  # 60 comments under posts naming no brand, 30 of them naming it: pages of 25
        post = Post(id=f"q{i}", subreddit="kettles", title=f"Question {i}", created=T0 + i * 10)
        post.comments = [Comment(f"a{i}", f"the Acme one, {i}", T0 + 1000 + i * 10),
                         Comment(f"b{i}", f"a cheap one, {i}", T0 + 1005 + i * 10)]
        reddit_server.posts.append(post)
    engine = open_database(sqlite_url)
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, sqlite_url, reddit_server.base],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **ENV},
                             cwd=Path(__file__).resolve().parent.parent)
    deadline = time.monotonic() + 60
    try:
        while not _rows(engine):
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else "child exited"
            assert time.monotonic() < deadline, "the child committed nothing in 60 s"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    stored_at_kill = len(_rows(engine))
    assert stored_at_kill == 5
    state = get_watermark(engine, "reddit")["listings"]["comments:kettles"]
    assert "created" not in state and state["pass"]["after"].startswith("t1_")  # the pass is unfinished
    before = len(reddit_server.requests)
    assert _collect(engine, reddit_server, search=False) == 30 - stored_at_kill
    resumed = [q for _, p, q in reddit_server.requests[before:] if p == "/r/kettles/comments/"]
    assert resumed[0]["after"] == [state["pass"]["after"]]  # after the last committed item, not from the top
    rows = _rows(engine)
    assert set(rows) == {f"t1_a{i}" for i in range(30)}
    assert get_watermark(engine, "reddit")["listings"]["comments:kettles"] == {"created": T0 + 1295, "id": "t1_b29"}
