"""Signed figures as a brand manager reads them: a value that rounds to nothing has no sign."""

from __future__ import annotations

import dataclasses
import html
from datetime import timedelta

import pytest

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_markdown
from journeywatch.reports.formatting import signed
from journeywatch.reports.model import Change
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions, store_batch
from tests.test_digest_data import BRAND, WEEK, WEEK_START


def test_signed_drops_the_sign_of_a_figure_that_rounds_to_zero() -> None:
    assert [signed(v) for v in (-0.4, 0.0, 0.4, -0.6, 12.0)] == ["0", "0", "0", "-1", "+12"]
    assert signed(-0.04, 1) == "0.0" and signed(2.26, 1) == "+2.3"


def test_a_net_sentiment_of_minus_a_fraction_reads_0_not_minus_0(sqlite_url: str) -> None:
    # 124 negative and 125 positive items... and one more negative: net -0.4 read '-0' beside '+0' stages.
    engine = open_database(sqlite_url)
    sentiments = ["negative", "positive"] * 5
    store_batch(engine, [Mention(source="s", external_id=str(n), text=f"Northwind grinder {n}", author=f"a{n}",
                                 brands=[BRAND], created_at=WEEK_START + timedelta(hours=2 + n))
                         for n in range(len(sentiments))])
    save_predictions(engine, "v", [(n + 1, Prediction("second_moment", 0.9, s, 0.9, {}, {}))
                                   for n, s in enumerate(sentiments)])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    digest = build_digest(engine, config, BRAND, parse_week(WEEK))
    use = next(s for s in digest.stages if s.name == "use")
    use.net_sentiment = -0.4
    digest.headline = dataclasses.replace(digest.headline, net_sentiment=Change(-0.4, 0.3, -0.7, "pts"))
    markdown = render_markdown(digest)
    assert "**Net sentiment:** 0 (-0.7 pts vs last week)" in markdown
    assert "| use | 10 | new | 0 |" in markdown
    page = render_html(add_charts(digest))
    assert ">-0<" not in page and ">+0<" not in page


def test_the_maps_arrow_follows_the_figure_it_shows() -> None:
    # A stage 0.3% below its average was drawn '▼ 0%'.
    from journeywatch.reports.charts import _change_text
    from journeywatch.reports.model import StageFigures
    stage = StageFigures("use", [], None, 10, {"negative": 0, "neutral": 10, "positive": 0}, 0.0, 10.03, -0.3, [])
    assert _change_text(stage) == "● 0%"
    assert _change_text(dataclasses.replace(stage, change_vs_baseline=-12.6)) == "▼ 13%"


def test_a_stages_sentiment_split_adds_up_to_100_percent() -> None:
    # Rounded one by one, the map's split of 1 / 1 / 1 read 33% three times, and 2 / 2 / 3 read 29 + 29 + 43 = 101.
    from journeywatch.reports.charts import whole_percentages
    assert whole_percentages({"negative": 1, "neutral": 1, "positive": 1}) == {
        "negative": 34, "neutral": 33, "positive": 33}
    assert sum(whole_percentages({"negative": 2, "neutral": 2, "positive": 3}).values()) == 100
    assert whole_percentages({"negative": 0, "neutral": 5, "positive": 0}) == {"negative": 0, "neutral": 100,
                                                                                "positive": 0}
    assert whole_percentages({"negative": 0, "neutral": 0, "positive": 0}) == {"negative": 0, "neutral": 0,
                                                                                "positive": 0}


def test_the_negative_share_card_says_what_its_percentage_is_of(sqlite_url: str) -> None:
    # 'NEGATIVE SHARE-STAGE 20.0%' over '11 warnings and bad reviews' read as a fifth of the share stage being
    # negative, where 11 of its 12 items were: the figure is of all 55 journey items.
    engine = open_database(sqlite_url)
    posts = [("ultimate_moment", "negative")] * 2 + [("second_moment", "positive")] * 8
    store_batch(engine, [Mention(source="s", external_id=str(n), text=f"Northwind grinder {n}", author=f"a{n}",
                                 brands=[BRAND], created_at=WEEK_START + timedelta(hours=2 + n))
                         for n in range(len(posts))])
    save_predictions(engine, "v", [(n + 1, Prediction(m, 0.9, s, 0.9, {}, {})) for n, (m, s) in enumerate(posts)])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    page = render_html(add_charts(build_digest(engine, config, BRAND, parse_week(WEEK))))
    assert "20.0%" in page and "2 warnings and bad reviews of 10 journey items" in page


def test_the_coverage_adds_up_to_the_mentions(sqlite_url: str) -> None:
    # 'Mentions collected 78, Classified 77' beside '55 on the journey': 22 items were nowhere, and the 12
    # flagged for review read as left out of the figures.
    engine = open_database(sqlite_url)
    posts = [("second_moment", "positive")] * 5 + [("none", "neutral")] * 3
    store_batch(engine, [Mention(source="s", external_id=str(n), text=f"Northwind grinder {n}", author=f"a{n}",
                                 brands=[BRAND], created_at=WEEK_START + timedelta(hours=2 + n))
                         for n in range(len(posts))])
    save_predictions(engine, "v", [(n + 1, Prediction(m, 0.9, s, 0.9, {}, {}, needs_review=n == 0))
                                   for n, (m, s) in enumerate(posts)])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    digest = build_digest(engine, config, BRAND, parse_week(WEEK))
    assert digest.coverage.off_journey == 3
    markdown = render_markdown(digest)
    assert "- Mentions collected: 8; classified: 8 (5 on the journey, 3 off it: no journey moment)" in markdown
    assert "- Flagged for human review: 1 (counted in the figures, never quoted)" in markdown
    text = html.unescape(render_html(add_charts(digest)))
    assert "Off the journey (no journey moment)" in text and "counted in the figures, never quoted" in text


def test_a_partial_weeks_date_reads_as_the_period_does(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # 'Partial week, data to Wed 04 Nov 09:05' under a period 'Mon 2 Nov – Sun 8 Nov 2026'.
    from datetime import datetime, timezone

    import journeywatch.reports.build as build_module

    class Wednesday(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime(2026, 11, 4, 9, 5, tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setattr(build_module, "datetime", Wednesday)
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    digest = build_digest(open_database(sqlite_url), config, BRAND, parse_week("2026-W45"))
    assert digest.partial_note == "Partial week, data to Wed 4 Nov 09:05 (UTC); changes compare it with full weeks"


def test_emoji_in_stage_and_source_names_are_left_out_of_the_chart_not_drawn_as_boxes(sqlite_url: str) -> None:
    # A mapping to 'see 👀' and 'share 📣' drew empty boxes in the journey map and printed a 'Glyph missing'
    # warning per emoji on the digest command's terminal.
    import warnings

    from journeywatch.reports.charts import drawable
    assert drawable("share 📣") == "share" and drawable("Café ★ 👀 x") == "Café ★ x"
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="reviews 🔥", external_id="1", text="Northwind grinder", author="a",
                                 brands=[BRAND], created_at=WEEK_START + timedelta(hours=2))])
    save_predictions(engine, "v", [(1, Prediction("ultimate_moment", 0.9, "negative", 0.9, {}, {}))])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}], "digest": {
        "stages": {"stimulus": "see 👀", "zero_moment": "think", "first_moment": "buy", "second_moment": "use",
                   "ultimate_moment": "share 📣"}}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        add_charts(build_digest(engine, config, BRAND, parse_week(WEEK)))
