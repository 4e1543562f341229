"""A feed's undated backlog is quoted in the digest as of unknown date, not under the day it was fetched.

A review feed added on Wed 11 Nov listed its old reviews without dates; the digest's "Most negative
share-stage talk" (and the stages' quotes) dated each 'Wed 11 Nov', as if written that day. The feed is
served over real local HTTP and read by the monitor's own collect step; the digest goes to a real SMTP
inbox, and is checked in its HTML, Markdown, JSON files and the e-mail alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from journeywatch.domain import Moment, Prediction, Sentiment
from journeywatch.flows.steps import classify_pending, collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.feeds import FeedListener
from journeywatch.reports import make_digests
from journeywatch.settings import FeedSource, parse_config
from journeywatch.storage import open_database
from journeywatch.storage.digest_queries import Cues, most_confident, top_items
from tests.servers.feeds import FeedServer, Route, feed_server  # noqa: F401
from tests.servers.smtp import SMTPServer, smtp_server  # noqa: F401
from tests.test_undated_feeds import _rss

WEEK = "2026-W46"  # Mon 9 Nov - Sun 15 Nov 2026
FETCHED = datetime(2026, 11, 11, 14, 5, tzinfo=timezone.utc)  # Wed 11 Nov: the feed's first reading
WRITTEN = datetime(2026, 11, 9, 10, 0, tzinfo=timezone.utc)  # Mon 9 Nov: the one dated review
BACKLOG = ("Never flying Acme again, they lost my bag (old review one)",
           "Never flying Acme again, rude crew and no refund (old review two)")
DATED = "Never flying Acme again, four hour delay and no food (this week)"


class AnswerKey:
    """Every text is negative share-stage talk, the backlog the surest: it is what the digest quotes first."""

    version = "answer-key"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(Moment.ULTIMATE.value, 0.95 if "old review" in t else 0.9, Sentiment.NEGATIVE.value,
                           0.95 if "old review" in t else 0.9, {}, {}) for t in texts]


def _read_feed(url: str, server: FeedServer) -> None:
    """The feed's first reading: one dated review and the undated backlog, stored and classified."""
    server.routes["/reviews"] = Route(_rss([("new", DATED, WRITTEN)] + [(f"old-{i}", text, None)
                                                                       for i, text in enumerate(BACKLOG)]))
    config = parse_config({"database": url, "brands": [{"name": "Acme", "query": "acme"}]})
    engine = open_database(url)
    source = FeedSource(kind="feed", name="reviews", url=server.url("/reviews"), source_kind="review")
    listener = FeedListener(source, sleep=lambda _: None, clock=lambda: FETCHED)
    matcher = BrandMatcher(config.brands)
    outcome = collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher, config.raw_authors))
    assert outcome.error is None
    classify_pending(engine, AnswerKey())


def test_the_digest_queries_say_which_items_are_of_unknown_date(
    database_url: str, feed_server: FeedServer,  # noqa: F811
) -> None:
    _read_feed(database_url, feed_server)
    engine = open_database(database_url)
    start, end = FETCHED - timedelta(days=2, hours=14, minutes=5), FETCHED + timedelta(days=5)
    for rows in (top_items(engine, "Acme", start, end, Cues(), 5),
                 most_confident(engine, "Acme", start, end, "ultimate_moment", "negative", 5)):
        assert {(r.text, r.date_known) for r in rows} == {(DATED, True), *((t, False) for t in BACKLOG)}


def test_a_feeds_backlog_is_quoted_as_of_unknown_date_in_every_format(
    sqlite_url: str, tmp_path: Path, feed_server: FeedServer, smtp_server: SMTPServer,  # noqa: F811
) -> None:
    _read_feed(sqlite_url, feed_server)
    mailto = f"mailto://{smtp_server.host}:{smtp_server.port}?from=digest@example.org&to=brand.manager@example.org"
    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}],
                           "digest": {"timezone": "UTC", "notify": [mailto]}})
    run = make_digests(config, tmp_path, week=WEEK)
    assert [r.ok for r in run.deliveries] == [True]
    files = {path.suffix: path.read_text(encoding="utf-8") for path in run.paths}

    markdown = files[".md"]
    worst = markdown.split("## Most negative share-stage talk")[1].split("##")[0]
    for text in BACKLOG:  # still quoted: real talk, honestly dated
        assert f"“{text}”  \n> — reviews · date unknown · negative" in worst, worst
    assert f"“{DATED}”  \n> — reviews · Mon 9 Nov · negative" in worst, worst
    assert "Wed 11 Nov" not in markdown  # the fetch day is no quote's date, in the stages' quotes either

    e_mail = smtp_server.wait_for(1)[0].get_body(("html",)).get_content()
    for page in (files[".html"], e_mail):
        assert page.count("reviews &middot; date unknown &middot; negative") >= 2 * len(BACKLOG)  # stage + list
        assert "reviews &middot; Mon 9 Nov &middot; negative" in page and "Wed 11 Nov" not in page

    data = json.loads(files[".json"])
    listed = {q["text"]: (q["created_at"], q["date_known"]) for q in data["negative_share_items"]}
    assert listed == {DATED: ("2026-11-09T10:00:00+00:00", True), **{t: (None, False) for t in BACKLOG}}
    stage_quotes = [q for s in data["stages"] for q in s["quotes"] if q["text"] in BACKLOG]
    assert stage_quotes and all(q["created_at"] is None and not q["date_known"] for q in stage_quotes)
