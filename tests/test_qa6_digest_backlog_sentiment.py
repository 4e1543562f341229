"""A feed's negative backlog of unknown date is counted in its week's sentiment but is no swing of it.

The digest said "30 of this week's 39 mentions are of unknown date ... its changes in volume ... compare items
of known date", yet the same 30 old one-star reviews moved net sentiment "-46.3 pts vs last week" and the
negative share-stage talk "+36.6 pts": the week's own posts were no worse than the week before.
"""

from __future__ import annotations

import html
import json
from datetime import timedelta

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_json, render_markdown
from journeywatch.reports.model import Digest
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions, store_batch
from tests.test_digest_data import BRAND, WEEK, WEEK_START

BACKLOG = 30


def _week(url: str, backlog: int = BACKLOG, this_week: int = 10) -> Digest:
    """Ten share-stage posts a week (half positive) for five weeks; this week a new feed's negative backlog too."""
    engine = open_database(url)
    dated = [Mention(source="forum", external_id=f"{w}-{n}", text=f"Northwind beans review {w} {n}", author=f"a{n}",
                     brands=[BRAND], created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=5 + n))
             for w in range(1, 5) for n in range(10)]
    dated += [Mention(source="forum", external_id=f"0-{n}", text=f"Northwind beans review now {n}", author=f"a{n}",
                      brands=[BRAND], created_at=WEEK_START + timedelta(hours=5 + n)) for n in range(this_week)]
    # As listeners/feeds.py stores an undated entry of a feed's first reading: at the fetch time, date unknown.
    undated = [Mention(source="reviews-feed", external_id=f"old-{n}", text=f"Old Northwind one-star review {n}",
                       author=f"r{n}", brands=[BRAND], created_at=WEEK_START + timedelta(days=2, hours=9),
                       date_known=False) for n in range(backlog)]
    ids = store_batch(engine, dated + undated)
    assert ids.new == len(dated) + len(undated)
    predictions = [(i, Prediction("ultimate_moment", 0.9, "positive" if i % 2 else "negative", 0.9, {}, {}))
                   for i in range(1, len(dated) + 1)]
    predictions += [(i, Prediction("ultimate_moment", 0.9, "negative", 0.9, {}, {}))
                    for i in range(len(dated) + 1, len(dated) + len(undated) + 1)]
    save_predictions(engine, "v", predictions)
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}]})
    return build_digest(engine, config, BRAND, parse_week(WEEK))


def test_a_negative_backlog_counts_in_the_weeks_sentiment_but_does_not_move_its_change(sqlite_url: str) -> None:
    digest = _week(sqlite_url)
    h = digest.headline
    # Counted in the week's figures: 5 positive, 35 negative of 40 journey items.
    assert (h.net_sentiment.value, h.net_sentiment.previous) == (-75.0, 0.0)
    assert (h.negative_share_talk.value, h.negative_share_count) == (87.5, 35)
    # Its change compares the items of known date: 5 of 10 negative this week, as last week.
    assert h.net_sentiment.delta == 0.0, h.net_sentiment
    assert h.negative_share_talk.delta == 0.0, h.negative_share_talk
    assert h.net_sentiment_known_date is not None and h.net_sentiment_known_date.value == 0.0

    markdown = render_markdown(digest)
    assert "**Net sentiment:** -75 (0.0 pts in items of known date: 0 vs last week's 0)" in markdown, markdown
    assert ("**Negative share-stage talk:** 87.5% of journey items, 35 items (0.0 pts in items of known date: "
            "50.0% vs last week's 50.0%)") in markdown, markdown
    assert "-75.0 pts" not in markdown and "+37.5 pts" not in markdown

    page = html.unescape(render_html(add_charts(digest)))
    assert "0.0 pts in items of known date: 0 vs last week's 0" in page
    assert "0.0 pts in items of known date: 50.0% vs last week's 50.0%" in page
    assert any("net sentiment and negative share-stage talk" in line for line in digest.highlights), \
        digest.highlights

    data = json.loads(render_json(digest))["headline"]
    assert data["net_sentiment"] == {"value": -75.0, "previous": 0.0, "delta": 0.0, "unit": "pts"}
    assert data["negative_share_talk_known_date"] == {"value": 50.0, "previous": 50.0, "delta": 0.0, "unit": "pts"}


def test_a_week_of_backlog_only_has_no_sentiment_change(sqlite_url: str) -> None:
    # Every journey item of this week is of unknown date: there is nothing of known date to compare.
    digest = _week(sqlite_url, this_week=0)
    assert digest.headline.net_sentiment.delta is None
    markdown = render_markdown(digest)
    assert "**Net sentiment:** -100 (no journey items of known date this week)" in markdown, markdown


def test_without_a_backlog_the_changes_read_as_before(sqlite_url: str) -> None:
    digest = _week(sqlite_url, backlog=0)
    h = digest.headline
    assert h.net_sentiment_known_date is None and h.negative_share_talk_known_date is None
    markdown = render_markdown(digest)
    assert "**Net sentiment:** 0 (0.0 pts vs last week)" in markdown, markdown
    assert json.loads(render_json(digest))["headline"]["net_sentiment_known_date"] is None
