"""A feed entry edited after it was stored (a review its author changed, a news item updated) is read anew.

The row keeps its id, its date and its place in the windows; its title and text become the newest, and
its classification is made again from them, once. Feeds served over real local HTTP, collected and
classified by the monitor's own steps, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, func, select

from journeywatch.alerts.counts import window_counts, window_index
from journeywatch.domain import Prediction
from journeywatch.flows.steps import SourceOutcome, classify_pending, collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import Brand, FeedSource
from journeywatch.storage import count_pending, open_database, save_predictions, store_batch
from journeywatch.storage.tables import classifications, mention_brands, mentions
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.test_storage import _mention, _prediction
from tests.test_undated_feeds import FIRST, HOUR, AnswerKey, _complaint, _praise, _rss

WRITTEN = FIRST - 5 * HOUR
BRANDS = [Brand(name="Acme", query="acme"), Brand(name="Bags", query="bag")]


class CountingKey(AnswerKey):
    """The answer key, remembering every text it was asked about."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        self.asked.extend(texts)
        return super().predict(texts)


def _collect(engine: Engine, server: FeedServer, at: datetime) -> SourceOutcome:
    source = FeedSource(kind="feed", name="reviews", url=server.url("/reviews"), source_kind="review")
    listener = FeedListener(source, sleep=lambda _: None, clock=lambda: at)
    matcher = BrandMatcher(BRANDS)
    return collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher))


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    query = (select(mentions.c.id, mentions.c.external_id, mentions.c.text, mentions.c.created_at,
                    mentions.c.date_known, classifications.c.sentiment)
             .select_from(mentions.outerjoin(classifications)).order_by(mentions.c.external_id))
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def test_an_edited_review_is_classified_again_from_its_newest_text(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """A customer who first praised Acme edited the review into a complaint: stored, shown and counted was the
    praise, for ever."""
    engine = open_database(database_url)
    key = CountingKey()
    feed_server.routes["/reviews"] = Route(_rss([("r-1", _praise(1), WRITTEN), ("r-2", _praise(2), WRITTEN)]))
    _collect(engine, feed_server, FIRST)
    classify_pending(engine, key)
    [(id1, _, _, _, _, before), second] = _rows(engine)
    assert before == "positive" and len(key.asked) == 2

    feed_server.routes["/reviews"].body = _rss([("r-1", _complaint(1), WRITTEN), ("r-2", _praise(2), WRITTEN)])
    outcome = _collect(engine, feed_server, FIRST + HOUR)
    assert (outcome.new, outcome.seen) == (0, 2)
    assert count_pending(engine) == 1
    classify_pending(engine, key)
    assert key.asked[2:] == [_complaint(1)]  # the edited one only, once
    assert _rows(engine) == [(id1, "r-1", _complaint(1), WRITTEN, True, "negative"), second]

    hour = window_index(WRITTEN, HOUR)
    counts = window_counts(engine, "Acme", HOUR, hour, hour + 1)
    assert counts.negative.tolist() == [1] and counts.share.tolist() == [2]  # the item once, in its own hour
    with engine.connect() as connection:  # "lost my bag": the newest text names Bags too, linked at its date
        links = connection.execute(select(mention_brands.c.brand, mention_brands.c.created_at)
                                   .where(mention_brands.c.mention_id == id1)).all()
    assert sorted(links) == [("Acme", WRITTEN), ("Bags", WRITTEN)]

    _collect(engine, feed_server, FIRST + 2 * HOUR)  # listed again unchanged: nothing to do
    assert count_pending(engine) == 0 and classify_pending(engine, key) == 0


def test_an_undated_entry_edited_keeps_its_unknown_date(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """The edit is no new item: an undated backlog entry edited later stays of unknown date, out of the alerts."""
    engine = open_database(database_url)
    feed_server.routes["/reviews"] = Route(_rss([("old-1", _praise(1), None)]))
    _collect(engine, feed_server, FIRST)
    feed_server.routes["/reviews"].body = _rss([("old-1", _complaint(1), None)])
    _collect(engine, feed_server, FIRST + HOUR)
    assert [row[2:5] for row in _rows(engine)] == [(_complaint(1), FIRST, False)]


def test_storing_an_edit_counts_it_and_leaves_others_classifications(database_url: str) -> None:
    engine = open_database(database_url)
    store_batch(engine, [_mention(i) for i in range(3)])
    with engine.connect() as connection:
        ids = connection.execute(select(mentions.c.id).order_by(mentions.c.id)).scalars().all()
    save_predictions(engine, "v1", [(i, _prediction("purchase", "positive")) for i in ids])
    edited = _mention(1)
    edited.text, edited.title = "post 1, edited", "now with a title"
    result = store_batch(engine, [_mention(0), edited, _mention(2), _mention(3)])
    assert (result.new, result.seen, result.edited) == (1, 3, 1)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(classifications)).scalar_one() == 2
        row = connection.execute(select(mentions.c.title, mentions.c.text).where(mentions.c.id == ids[1])).one()
    assert tuple(row) == ("now with a title", "post 1, edited")
    assert count_pending(engine) == 2  # the edited one and the new one
    assert store_batch(engine, [edited]).edited == 0
    assert store_batch(engine, [_mention(1)]).edited == 1  # edited back: the title goes too
    with engine.connect() as connection:
        assert connection.execute(select(mentions.c.title).where(mentions.c.id == ids[1])).scalar_one() is None
