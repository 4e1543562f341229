"""One listed subreddit whose listing Reddit keeps failing (a big subreddit's /new answering 503 from the load
balancer) failed the whole source at once: the source's other subreddits were not read at all, run after run,
for as long as that one failed. Now the others are read and stored, the source is still reported failed naming
that listing, and the next run reads it from where it was, without gaps or duplicates."""

from __future__ import annotations

from sqlalchemy import select

from journeywatch.errors import SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions as mentions_table
from tests.servers.reddit import Failure, Post, RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "test-id", "REDDIT_CLIENT_SECRET": "test-secret", "REDDIT_USER_AGENT": "journeywatch-tests/1"}
T0 = 1_790_000_000.0
ACME = Brand(name="Acme", query="acme")


def _run(server: RedditServer, url: str, subreddits: list[str]) -> tuple[SourceError | None, list[str]]:
    """The source's failure (None when it read everything) and the stored ids after it."""
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": subreddits,
                                            "oauth_url": server.base, "reddit_url": server.base, "retries": 1,
                                            "backoff": 0.01, "comments": False, "search": False})
    engine = open_database(url)
    error = None
    try:
        collect_source(engine, RedditListener(settings, [ACME], sleep=lambda s: None, env=ENV),
                       lambda ms: prepare_mentions(ms, BrandMatcher([ACME])))
    except SourceError as exc:
        error = exc
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(select(mentions_table.c.external_id))]
    return error, ids


def test_one_subreddit_failing_does_not_stop_the_others(reddit_server: RedditServer, sqlite_url: str) -> None:
    for sub in ("kettles", "tea", "coffee"):
        reddit_server.posts += [Post(id=f"{sub}{i}", subreddit=sub, title=f"Acme {sub} {i}", created=T0 + i)
                                for i in range(30)]
    reddit_server.failures["/r/kettles/new"] = [Failure(503) for _ in range(4)]
    error, ids = _run(reddit_server, sqlite_url, ["kettles", "tea", "coffee"])
    assert error is not None and error.retryable
    assert "r/kettles" in error.reason and "HTTP 503" in error.reason
    assert "r/tea" not in error.reason and "r/coffee" not in error.reason
    assert sorted(ids) == sorted([f"t3_tea{i}" for i in range(30)] + [f"t3_coffee{i}" for i in range(30)])
    reddit_server.failures.clear()
    reddit_server.posts.append(Post(id="tea99", subreddit="tea", title="Acme tea later", created=T0 + 99))
    error, ids = _run(reddit_server, sqlite_url, ["kettles", "tea", "coffee"])
    assert error is None and len(ids) == len(set(ids)) == 91


def test_reddit_failing_everywhere_still_fails_the_source_soon(reddit_server: RedditServer, sqlite_url: str) -> None:
    """Past two failing listings it is Reddit's own trouble: the source stops rather than wait on every one."""
    subs = [f"sub{n}" for n in range(6)]
    for sub in subs:
        reddit_server.posts.append(Post(id=sub, subreddit=sub, title=f"Acme {sub}", created=T0))
    reddit_server.failures["/r/"] = [Failure(503) for _ in range(100)]
    error, ids = _run(reddit_server, sqlite_url, subs)
    assert error is not None and "HTTP 503" in error.reason and ids == []
    assert len(reddit_server.paths("/r/")) == 3 * 2  # three listings, two attempts each, then it stopped
