"""Weeks before a brand's first item are no data, not a measured zero, in every format."""

from __future__ import annotations

import html
import json
from datetime import timedelta

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_json, render_markdown
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions, store_batch
from tests.test_digest_data import BRAND, WEEK, WEEK_START


def _two_weeks_old_brand(sqlite_url: str):  # type: ignore[no-untyped-def]
    """A brand first seen the week before WEEK: five use-stage items a week, then its digest for WEEK."""
    engine = open_database(sqlite_url)
    posts = [(w, n) for w in (0, 1) for n in range(5)]
    store_batch(engine, [Mention(source="s", external_id=f"{w}-{n}", text=f"Northwind grinder is fine {w} {n}",
                                 author=f"a{n}", brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=2 + n))
                         for w, n in posts])
    save_predictions(engine, "v", [(i + 1, Prediction("second_moment", 0.9, "positive", 0.9, {}, {}))
                                   for i in range(len(posts))])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    return build_digest(engine, config, BRAND, parse_week(WEEK))


def test_weeks_before_the_first_item_are_no_data(sqlite_url: str) -> None:
    digest = _two_weeks_old_brand(sqlite_url)
    use = next(s for s in digest.stages if s.name == "use")
    engage = next(s for s in digest.stages if s.name == "engage")
    assert use.history == [None] * 6 + [5, 5]
    assert engage.history == [None] * 6 + [0, 0]  # measured, and nothing: a zero
    assert digest.trend.counts["second_moment"]["positive"] == [None] * 6 + [5, 5]
    data = json.loads(render_json(digest))
    assert data["trend"]["counts"]["stimulus"]["negative"] == [None] * 6 + [0, 0]

    table = render_markdown(digest).split("## Moments and sentiment")[1].split("## Most negative")[0]
    second = next(line for line in table.splitlines() if line.startswith("| SMOT"))
    assert second.split(" | ")[1:7] == ["no data"] * 6 and second.rstrip(" |").endswith("| 5 | 5"), second
    assert "No data: not measured as empty, they come before the brand's first item." in table
    add_charts(digest)
    assert "before the brand's first item" in html.unescape(render_html(digest))


def test_a_young_brands_average_is_over_the_weeks_it_has(sqlite_url: str) -> None:
    # Five use-stage items last week and five this week read '+300% vs 4-wk avg': three weeks before the
    # brand's first item were averaged in as zeros.
    digest = _two_weeks_old_brand(sqlite_url)
    use = next(s for s in digest.stages if s.name == "use")
    assert (use.baseline, use.change_vs_baseline, digest.baseline_weeks) == (5.0, 0.0, 1)
    markdown = render_markdown(digest)
    assert "| vs last week |" in markdown and "4-wk" not in markdown
    add_charts(digest)
    page = html.unescape(render_html(digest))
    assert "0% vs last week" in page and "4-wk" not in page and "four weeks" not in page


def test_the_no_data_and_baseline_notes_read_as_sentences(sqlite_url: str) -> None:
    # 'than in earlier weeks (none yet)'.' and 'Shaded, 2026-W39 to 2026-W44: no data: weeks before ...'.
    digest = _two_weeks_old_brand(sqlite_url)
    add_charts(digest)
    page = html.unescape(render_html(digest))
    assert "Shaded weeks (2026-W39 to 2026-W44) have no data: they come before the brand's first item." in page
    first = build_digest(open_database(sqlite_url), parse_config({"database": sqlite_url, "brands": [
        {"name": BRAND, "query": "northwind"}]}), BRAND, parse_week(WEEK).shift(-1))
    for text in (render_markdown(first), html.unescape(render_html(add_charts(first)))):
        assert "Emerging: used in more of this week's items than in those of earlier weeks (none yet)." in text
        assert "weeks'" not in text and ")'" not in text
