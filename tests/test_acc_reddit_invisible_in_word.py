"""A brand name with an invisible character inside it (pasted from a web page or typed to dodge a filter) is
still the brand: 'Ac\u00adme' reads as 'Acme' on Reddit, so it must be matched and stored as 'Acme'."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.reddit import RedditListener
from journeywatch.settings import Brand, RedditSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions as mentions_table
from tests.servers.reddit import Post, RedditServer, reddit_server  # noqa: F401

ENV = {"REDDIT_CLIENT_ID": "test-id", "REDDIT_CLIENT_SECRET": "test-secret", "REDDIT_USER_AGENT": "journeywatch-tests/1"}
T0 = 1_790_000_000.0
ACME = Brand(name="Acme", query="acme")
HIDDEN = {"zwsp": "\u200b", "shy": "\u00ad", "wj": "\u2060", "bom": "\ufeff"}


@pytest.fixture
def server(reddit_server: RedditServer) -> Iterator[RedditServer]:
    for i, (name, char) in enumerate(HIDDEN.items()):
        reddit_server.posts.append(Post(id=name, subreddit="kettles", title=f"My Ac{char}me kettle broke",
                                        created=T0 + i, selftext=f"Never buying Ac{char}me again{char}"))
    reddit_server.posts.append(Post(id="blank", subreddit="kettles", title="Acme kettle", created=T0 + 10,
                                    selftext="First line\n\n&#x200B;\n\nsecond line"))
    yield reddit_server


def test_a_brand_name_holding_an_invisible_character_is_matched_and_stored_whole(server: RedditServer,
                                                                              sqlite_url: str) -> None:
    settings = RedditSource.model_validate({"kind": "reddit", "name": "reddit", "subreddits": ["kettles"],
                                            "oauth_url": server.base, "reddit_url": server.base,
                                            "backoff": 0.01, "comments": False})
    listener = RedditListener(settings, [ACME], sleep=lambda s: None, env=ENV)
    engine = open_database(sqlite_url)
    stats = collect_source(engine, listener, lambda ms: prepare_mentions(ms, BrandMatcher([ACME])))
    assert stats.new == 5
    with engine.connect() as connection:
        rows = {r.external_id: r for r in connection.execute(select(mentions_table)).all()}
    for name in HIDDEN:
        assert rows[f"t3_{name}"].title == "My Acme kettle broke"
        assert rows[f"t3_{name}"].text == "Never buying Acme again"
    # Reddit's blank paragraph (&#x200B; between paragraphs) still parts words, as before.
    assert rows["t3_blank"].text == "First line second line"
