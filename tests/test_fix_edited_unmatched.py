"""A stored item edited so that it names none of the config's brands: its newest text is taken, its link dropped.

A run drops what matches no brand before the database sees it, so "Acme lost my bag" edited into "Globex lost
my bag" (read by a config listening for Acme alone) was dropped unseen: it stayed in Acme's counts and digest
with its first text, for ever.
"""

from __future__ import annotations

from sqlalchemy import select

from journeywatch.storage import open_database, save_predictions
from journeywatch.storage.tables import classifications, mentions
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.test_storage import _prediction
from tests.test_fix_shared_source_edits import WRITTEN, _collect, _config
from tests.test_h14_edited_brand_links import _links
from tests.test_undated_feeds import _rss

GERMAN = "Globex hat meinen Koffer verloren und niemand vom Kundendienst hat mich zurückgerufen"  # its language too


def test_an_item_edited_out_of_the_configs_brands_leaves_them(
    prefect_harness: None, database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    engine = open_database(database_url)
    acme = _config(database_url, feed_server, "Acme")
    feed_server.routes["/reviews"] = Route(_rss([("r-1", "Acme lost my bag", WRITTEN),
                                                 ("r-2", "Acme was fine", WRITTEN)]))
    _collect(acme)
    assert _links(engine) == [("r-1", "Acme"), ("r-2", "Acme")]

    feed_server.routes["/reviews"].body = _rss([("r-1", GERMAN, WRITTEN), ("r-2", "Acme was fine", WRITTEN),
                                                ("r-3", "Initech is hiring", WRITTEN)])
    outcome = _collect(acme)

    assert (outcome.fetched, outcome.new, outcome.seen, outcome.unmatched, outcome.edited) == (3, 0, 1, 2, 1)
    assert _links(engine) == [("r-2", "Acme")]
    with engine.connect() as connection:
        stored = connection.execute(select(mentions.c.external_id, mentions.c.text, mentions.c.lang,
                                           mentions.c.lang_supported).order_by(mentions.c.external_id)).all()
    assert [tuple(row) for row in stored] == [("r-1", GERMAN, "de", False), ("r-2", "Acme was fine", None, True)]
    assert _collect(acme).edited == 0  # taken once


def test_an_item_edited_out_of_one_configs_brands_keeps_the_others(
    prefect_harness: None, database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """Config A (Acme) reads "Acme and Globex lost my bag" edited into "Globex lost my bag": Acme's link goes,
    config B's Globex link stays, and the item is classified again from its newest text."""
    engine = open_database(database_url)
    acme, globex = (_config(database_url, feed_server, brand) for brand in ("Acme", "Globex"))
    feed_server.routes["/reviews"] = Route(_rss([("r-1", "Acme and Globex lost my bag", WRITTEN)]))
    _collect(acme)
    _collect(globex)
    with engine.connect() as connection:
        [mention_id] = connection.execute(select(mentions.c.id)).scalars().all()
    save_predictions(engine, "v1", [(mention_id, _prediction("ultimate_moment", "negative"))])

    feed_server.routes["/reviews"].body = _rss([("r-1", "Globex lost my bag", WRITTEN)])
    assert _collect(acme).edited == 1

    assert _links(engine) == [("r-1", "Globex")]
    with engine.connect() as connection:
        assert connection.execute(select(classifications.c.mention_id)).all() == []  # classified again
    assert _collect(globex).brand_new["Globex"] == 0
