"""A feed's backlog of unknown date, read in one week, is said beside the week's numbers and is no growth."""

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

BACKLOG = 240


def _backlog_week(url: str) -> Digest:
    """Ten share-stage posts a week for five weeks; this week a new feed's 240 undated reviews too."""
    engine = open_database(url)
    dated = [Mention(source="forum", external_id=f"{w}-{n}", text=f"Northwind beans review {w} {n}", author=f"a{n}",
                     brands=[BRAND], created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=5 + n))
             for w in range(5) for n in range(10)]
    # As listeners/feeds.py stores an undated entry of a feed's first reading: at the fetch time, date unknown.
    undated = [Mention(source="reviews-feed", external_id=f"old-{n}", text=f"Old Northwind review number {n}",
                       author=f"r{n}", brands=[BRAND], created_at=WEEK_START + timedelta(days=2, hours=9),
                       date_known=False) for n in range(BACKLOG)]
    store_batch(engine, dated + undated)
    save_predictions(engine, "v", [(i, Prediction("ultimate_moment", 0.9, "negative", 0.9, {}, {}))
                                   for i in range(1, len(dated) + len(undated) + 1)])
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}]})
    return build_digest(engine, config, BRAND, parse_week(WEEK))


def test_a_feeds_backlog_is_counted_in_its_week_said_and_left_out_of_the_changes(database_url: str) -> None:
    # 250 mentions read '+2400% vs last week's 10' and share talk 'up 2400% on its average': 240 of them were
    # a new feed's months of reviews, read this week and stored as of unknown date.
    digest = _backlog_week(database_url)
    h = digest.headline
    assert (h.volume.value, h.undated, h.volume.delta, h.undated_previous) == (250, BACKLOG, 0.0, 0)
    share = next(s for s in digest.stages if s.name == "share")
    assert (share.volume, share.undated, share.baseline, share.change_vs_baseline) == (250, BACKLOG, 10.0, 0.0)
    assert share.history[-1] == 250  # counted in the week it was collected
    assert digest.coverage.undated == BACKLOG
    assert any("240 of this week's 250 mentions are of unknown date" in line for line in digest.highlights)
    assert not any("2400" in line for line in digest.highlights), digest.highlights

    markdown = render_markdown(digest)
    assert ("**Mentions:** 250 (0.0% in items of known date: 10 vs last week's 10), of which 240 of unknown date "
            "(a feed's backlog, collected this week); 250 on the journey") in markdown, markdown.split("##")[1]
    assert "| share | 250 (240 of unknown date) | 0% |" in markdown
    assert "Mentions collected: 250 (240 of unknown date)" in markdown

    page = html.unescape(render_html(add_charts(digest)))
    assert "0.0% in items of known date: 10 vs last week's 10" in page
    assert "of which 240 of unknown date (a feed's backlog, collected this week); 250 on the journey" in page
    assert "250 items (240 of unknown date)" in page
    assert "its change against the average compares items of known date" in page

    data = json.loads(render_json(digest))
    assert (data["headline"]["undated"], data["coverage"]["undated"]) == (BACKLOG, BACKLOG)
    assert next(s for s in data["stages"] if s["name"] == "share")["undated"] == BACKLOG


def test_a_week_without_backlog_reads_as_before(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id=str(w), text=f"Northwind is fine {w}", brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w, hours=-3)) for w in range(2)])
    digest = build_digest(engine, parse_config({"database": sqlite_url, "brands": [
        {"name": BRAND, "query": "northwind"}]}), BRAND, parse_week(WEEK))
    markdown = render_markdown(digest)
    assert "**Mentions:** 1 (0.0% vs last week's 1); 0 on the journey" in markdown
    assert "unknown date" not in markdown


def test_a_feeds_backlog_makes_no_emerging_term(sqlite_url: str) -> None:
    # 'New this week in share: “review number” (240 items, none in the previous four weeks)': the words of a
    # backlog of unknown date, read this week, 'emerged'.
    digest = _backlog_week(sqlite_url)
    assert all(not s.emerging_terms and not s.pain_points for s in digest.stages), digest.stages
    assert not any("review number" in line for line in digest.highlights), digest.highlights
    assert ("10 items of known date this week, 10 a week on average over the previous four weeks"
            in digest.highlights[0]), digest.highlights
