"""A feed's undated backlog is no alert spike: its first reading's undated entries are of unknown date.

Feeds served over real local HTTP, collected and stored by the monitor's own step, classified by an
answer key (as the alert demo is) through the monitor's classify step, and judged by `check_alerts`
on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from sqlalchemy import Engine, select, text

from journeywatch.alerts import check_alerts
from journeywatch.alerts.counts import window_counts, window_index
from journeywatch.domain import Moment, Prediction, Sentiment
from journeywatch.flows.steps import classify_pending, collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.feeds import FeedListener
from journeywatch.settings import Brand, Config, FeedSource
from journeywatch.storage import open_database, store_batch
from journeywatch.storage.database import create_database_engine, upgrade
from journeywatch.storage.tables import alert_checks, mention_brands, mentions
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401

T0 = datetime(2026, 10, 5, tzinfo=timezone.utc)  # a Monday: the dated history starts here
FIRST = T0 + timedelta(days=10, hours=14, minutes=5)  # the review feed's first fetch, with ten days of history
HOUR = timedelta(hours=1)
BACKLOG = 40  # reviews written over months, listed without dates


def _complaint(i: int) -> str:
    return f"Never flying Acme again: they lost my bag and refused a refund. Avoid! (review {i})"


def _praise(i: int) -> str:
    return f"Flew Acme to Lisbon, friendly crew and on time, would recommend (post {i})"


class AnswerKey:
    """Labels a text as the test wrote it: complaints are negative share-stage talk, praise positive."""

    version = "answer-key"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [self._label(t) for t in texts]

    @staticmethod
    def _label(text_: str) -> Prediction:
        sentiment = Sentiment.NEGATIVE if text_.startswith("Never flying") else Sentiment.POSITIVE
        return Prediction(Moment.ULTIMATE.value, 0.9, sentiment.value, 0.9, {}, {})


def _rss(items: Sequence[tuple[str, str, datetime | None]]) -> bytes:
    """An RSS feed of (guid, text, date) items; an item without a date has no pubDate."""
    entries = "".join(
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{body}</title>"
        f"<link>https://reviews.example/{guid}</link>"
        + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "") + "</item>"
        for guid, body, when in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>https://reviews.example/</link><description>d</description>{entries}</channel></rss>").encode()


def _history(until: datetime) -> list[tuple[str, str, datetime | None]]:
    """Dated share-stage posts every three hours from T0, a complaint every nine hours."""
    items = []
    for hour in range(0, int((until - T0) / HOUR), 3):
        text_ = _complaint(hour) if hour % 9 == 0 else _praise(hour)
        items.append((f"news-{hour}", text_, T0 + timedelta(hours=hour, minutes=10)))
    return items


def _backlog(count: int, prefix: str = "old") -> list[tuple[str, str, datetime | None]]:
    return [(f"{prefix}-{i}", _complaint(1000 + i) + f" {prefix}", None) for i in range(count)]


def _config(database_url: str, *brands: Brand) -> Config:
    return Config(brands=list(brands or [Brand(name="Acme", query="acme")]), database=database_url)


def _collect(engine: Engine, server: FeedServer, config: Config, name: str, at: datetime,
             batch_size: int = 1000) -> None:
    source = FeedSource(kind="feed", name=name, url=server.url(f"/{name}"), source_kind="review")
    listener = FeedListener(source, sleep=lambda _: None, clock=lambda: at, batch_size=batch_size)
    matcher = BrandMatcher(config.brands)
    outcome = collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher, config.raw_authors))
    assert outcome.error is None


def _stored(engine: Engine, source: str) -> list[tuple[datetime, bool]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(mentions.c.created_at, mentions.c.date_known).where(mentions.c.source == source))]


def test_a_new_feeds_undated_backlog_raises_no_alert_but_its_later_undated_entries_count(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """A review feed added with its backlog undated put 40 complaints written over months into the hour of its
    first fetch: a spike that never happened, and an alert to the brand manager."""
    engine = open_database(database_url)
    config = _config(database_url)
    feed_server.routes["/news"] = Route(_rss(_history(FIRST)))
    feed_server.routes["/reviews"] = Route(_rss(_backlog(BACKLOG)))
    _collect(engine, feed_server, config, "news", FIRST)
    _collect(engine, feed_server, config, "reviews", FIRST)
    assert _stored(engine, "reviews") == [(FIRST, False)] * BACKLOG  # in the week it was collected, date unknown
    classify_pending(engine, AnswerKey())

    notes: list[str] = []
    assert check_alerts(engine, config, now=FIRST + HOUR, notes=notes) == []
    assert len(notes) == 1 and notes[0].startswith(f"Acme: {BACKLOG} negative share-stage item(s) of unknown date")
    hour = window_index(FIRST, HOUR)
    counts = window_counts(engine, "Acme", HOUR, hour, hour + 1)
    assert counts.negative.tolist() == [0] and counts.share.tolist() == [0]

    # At the next hourly run the feed lists twelve new undated reviews above the backlog: written since the
    # last reading, dated by this fetch, a real burst that alerts.
    second = FIRST + HOUR
    feed_server.routes["/reviews"].body = _rss(_backlog(12, "new") + _backlog(BACKLOG))
    _collect(engine, feed_server, config, "reviews", second)
    assert Counter(_stored(engine, "reviews")) == {(FIRST, False): BACKLOG, (second, True): 12}
    classify_pending(engine, AnswerKey())
    later: list[str] = []
    [alert] = check_alerts(engine, config, now=second + HOUR, notes=later)
    assert not any("unknown date" in note for note in later)  # said once, by the check that judged its hour
    assert alert.window_start == datetime(second.year, second.month, second.day, second.hour, tzinfo=timezone.utc)
    assert alert.observed == 12 and alert.sources == {"reviews": 12}
    assert all(item.text.endswith(" new") for item in alert.top_items)


def test_a_dated_spike_in_the_backlogs_hour_alerts_on_its_own_items(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """The backlog neither hides a real spike nor swells it: the count and the evidence are the spike's own."""
    engine = open_database(database_url)
    config = _config(database_url)
    spike = FIRST.replace(minute=0) - HOUR
    burst = [(f"burst-{m}", _complaint(2000 + m) + " burst", spike + timedelta(minutes=m)) for m in range(0, 48, 4)]
    feed_server.routes["/news"] = Route(_rss(_history(spike) + burst))
    feed_server.routes["/reviews"] = Route(_rss(_backlog(BACKLOG)))
    _collect(engine, feed_server, config, "news", FIRST)
    _collect(engine, feed_server, config, "reviews", spike + timedelta(minutes=50))  # fetched in the spike's hour
    classify_pending(engine, AnswerKey())
    [alert] = check_alerts(engine, config, now=FIRST)
    assert alert.window_start == spike and alert.observed == 12
    assert alert.sources == {"news": 12}
    assert all(item.text.endswith(" burst") for item in alert.top_items)


def test_a_backlog_not_classified_yet_holds_no_window_back(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """Windows wait for their unclassified items; the backlog's count in none, so none waits for them."""
    engine = open_database(database_url)
    config = _config(database_url)
    feed_server.routes["/news"] = Route(_rss(_history(FIRST)))
    feed_server.routes["/reviews"] = Route(_rss(_backlog(BACKLOG)))
    _collect(engine, feed_server, config, "news", FIRST)
    classify_pending(engine, AnswerKey())
    _collect(engine, feed_server, config, "reviews", FIRST)  # the classifier has not run since
    notes: list[str] = []
    assert check_alerts(engine, config, now=FIRST + HOUR, notes=notes) == []
    assert notes == []
    with engine.connect() as connection:
        judged = connection.execute(select(alert_checks.c.checked_until)).scalar_one()
    assert judged == FIRST.replace(minute=0) + HOUR


def test_a_first_reading_cut_off_half_way_stays_a_first_reading(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """The watermark committed with a first reading's early batches named the feed's URL: the run after a crash
    read the rest of the backlog as new entries, dated by its fetch."""
    engine = open_database(database_url)
    config = _config(database_url)
    feed_server.routes["/reviews"] = Route(_rss(_backlog(BACKLOG)))
    source = FeedSource(kind="feed", name="reviews", url=feed_server.url("/reviews"), source_kind="review")
    listener = FeedListener(source, sleep=lambda _: None, clock=lambda: FIRST, batch_size=10)
    matcher = BrandMatcher(config.brands)
    batches = listener.fetch(None)
    first = next(batches)  # the run is killed after its first batch is committed
    batches.close()
    store_batch(engine, prepare_mentions(first.mentions, matcher), source="reviews", watermark=first.watermark)
    _collect(engine, feed_server, config, "reviews", FIRST + 2 * HOUR)
    stored = _stored(engine, "reviews")
    assert len(stored) == BACKLOG and not any(known for _, known in stored)


def test_a_brand_added_later_gets_the_backlog_as_stored(database_url: str, feed_server: FeedServer) -> None:  # noqa: F811
    """A brand added to the config after the first reading was linked to the backlog at a later fetch's time,
    as a known date."""
    engine = open_database(database_url)
    feed_server.routes["/reviews"] = Route(_rss(_backlog(BACKLOG)))
    _collect(engine, feed_server, _config(database_url), "reviews", FIRST)
    both = _config(database_url, Brand(name="Acme", query="acme"), Brand(name="Bags", query="bag"))
    _collect(engine, feed_server, both, "reviews", FIRST + 3 * HOUR)
    with engine.connect() as connection:
        links = connection.execute(select(mention_brands.c.brand, mention_brands.c.created_at,
                                          mention_brands.c.date_known)).all()
    assert sorted(set(links)) == [("Acme", FIRST, False), ("Bags", FIRST, False)]
    assert len(links) == 2 * BACKLOG


def test_rows_stored_before_the_migration_keep_a_known_date(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO mentions (source, external_id, source_kind, text, created_at, fetched_at, lang_supported, "
            "nsfw, stickied) VALUES ('export', 'e1', 'file', 'acme', :at, :at, :yes, :no, :no)"),
            {"at": FIRST.replace(tzinfo=None), "yes": True, "no": False})
        connection.execute(text("INSERT INTO mention_brands (mention_id, brand, created_at) "
                                "SELECT id, 'Acme', created_at FROM mentions"))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(select(mentions.c.date_known)).scalars().all() == [True]
        assert connection.execute(select(mention_brands.c.date_known)).scalars().all() == [True]
    engine.dispose()


def test_an_entry_cut_short_of_its_date_takes_it_when_the_whole_feed_is_read(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    """A body cut short that still parses left its last entry undated: the fetch time stood in, of unknown date,
    and stayed, as an item keeps its first date, when the whole feed said later when it was written."""
    engine = open_database(database_url)
    config = _config(database_url)
    written = {"a": T0 + timedelta(days=9), "b": T0 + timedelta(days=8, hours=3)}
    whole = _rss([(guid, _complaint(i), when) for i, (guid, when) in enumerate(written.items())])
    feed_server.routes["/reviews"] = Route(whole[: whole.rindex(b"<pubDate>")])  # cut off in the last entry

    def stored() -> dict[str, tuple[datetime, bool]]:
        with engine.connect() as connection:
            rows = connection.execute(select(mentions.c.external_id, mentions.c.created_at, mentions.c.date_known)
                                      .where(mentions.c.source == "reviews")).all()
            links = connection.execute(select(mention_brands.c.created_at, mention_brands.c.date_known)).all()
        assert sorted(links) == sorted((at, known) for _, at, known in rows)  # the links carry the row's date
        return {guid: (at, known) for guid, at, known in rows}

    _collect(engine, feed_server, config, "reviews", FIRST)
    assert stored() == {"a": (written["a"], True), "b": (FIRST, False)}
    _collect(engine, feed_server, config, "reviews", FIRST + HOUR)  # cut again: another fetch time is no date
    assert stored() == {"a": (written["a"], True), "b": (FIRST, False)}
    feed_server.routes["/reviews"] = Route(whole)
    _collect(engine, feed_server, config, "reviews", FIRST + 2 * HOUR)
    assert stored() == {"a": (written["a"], True), "b": (written["b"], True)}
    redated = whole.replace(format_datetime(written["a"]).encode(), format_datetime(FIRST).encode())
    feed_server.routes["/reviews"] = Route(redated)
    _collect(engine, feed_server, config, "reviews", FIRST + 3 * HOUR)  # a known date is kept
    assert stored() == {"a": (written["a"], True), "b": (written["b"], True)}
