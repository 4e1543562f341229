"""Two configs sharing one database and a source name: an edit read by one re-judges only its own brands.

Config A listens for Acme, config B for Globex, both on the same review feed under the same source name.
"Acme and Globex lost my bag" is linked to Acme by A's runs and to Globex by B's. Edited, and read again by
A (which knows nothing of Globex), the item lost its Globex link: Globex's counts and digest dropped it, and
B's next run linked it again as a new item for Globex.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prefect import flow

from journeywatch.flows.monitor import collect_task
from journeywatch.flows.steps import SourceOutcome
from journeywatch.settings import Config, parse_config
from journeywatch.storage import open_database
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.test_h14_edited_brand_links import _links
from tests.test_undated_feeds import _rss

WRITTEN = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=2)


def _config(database_url: str, server: FeedServer, brand: str) -> Config:
    return parse_config({"database": database_url, "brands": [{"name": brand, "query": brand.lower()}],
                         "sources": [{"name": "reviews", "kind": "feed", "url": server.url("/reviews"),
                                      "source_kind": "review"}]})


@flow
def _collect_flow(config: Config) -> SourceOutcome:
    return collect_task(config, config.sources[0])  # the monitor's own task, in a real Prefect flow run


def _collect(config: Config) -> SourceOutcome:
    outcome = _collect_flow(config)
    assert outcome.error is None, outcome.error
    return outcome


def test_an_edit_read_by_one_config_keeps_the_brand_links_of_the_other(
    prefect_harness: None, database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    engine = open_database(database_url)
    acme, globex = (_config(database_url, feed_server, brand) for brand in ("Acme", "Globex"))
    feed_server.routes["/reviews"] = Route(_rss([("r-1", "Acme and Globex lost my bag", WRITTEN),
                                                 ("r-2", "Acme and Globex were fine", WRITTEN)]))
    _collect(acme)
    assert _collect(globex).brand_new["Globex"] == 2
    assert _links(engine) == [("r-1", "Acme"), ("r-1", "Globex"), ("r-2", "Acme"), ("r-2", "Globex")]

    feed_server.routes["/reviews"].body = _rss([("r-1", "Acme and Globex lost my bag, found it a week later",
                                                 WRITTEN), ("r-2", "Acme and Globex were fine", WRITTEN)])
    edited = _collect(acme)

    assert (edited.seen, edited.edited) == (2, 1)
    assert _links(engine) == [("r-1", "Acme"), ("r-1", "Globex"), ("r-2", "Acme"), ("r-2", "Globex")]
    again = _collect(globex)
    assert again.brand_new["Globex"] == 0 and again.brand_hits["Globex"] == 2  # nothing new for Globex
