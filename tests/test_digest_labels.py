"""What a brand manager reads in the Markdown digest: the journey's names, not the code's labels."""

from __future__ import annotations

import html
from datetime import timedelta

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import build_digest, parse_week, render_markdown
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions, store_batch
from tests.test_digest_data import BRAND, WEEK, WEEK_START


def _digest(sqlite_url: str, posts: list[tuple[str, str, str]]):  # type: ignore[no-untyped-def]
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, author=f"a{n}", brands=[BRAND],
                                 created_at=WEEK_START + timedelta(hours=2 + n))
                         for n, (_m, _s, text) in enumerate(posts)])
    save_predictions(engine, "v", [(n + 1, Prediction(moment, 0.9, sentiment, 0.9, {}, {}))
                                   for n, (moment, sentiment, _t) in enumerate(posts)])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    return build_digest(engine, config, BRAND, parse_week(WEEK))


def test_the_trend_table_names_moments_as_the_chart_does(sqlite_url: str) -> None:
    # The Markdown table read 'zero\_moment' and 'ultimate\_moment' where the chart says 'ZMOT · research'.
    digest = _digest(sqlite_url, [("zero_moment", "neutral", "Northwind or Blue Bottle?"),
                                  ("ultimate_moment", "negative", "Avoid Northwind")])
    table = render_markdown(digest).split("## Moments and sentiment")[1].split("\n\n")[1]
    rows = [line.split(" | ")[0].lstrip("| ") for line in table.splitlines()[2:]]
    assert rows == ["Stimulus", "ZMOT · research", "FMOT · purchase", "SMOT · use", "UMOT · share",
                    "No journey moment"], rows


def test_the_retention_stage_says_its_items_are_counted_in_other_stages_too(sqlite_url: str) -> None:
    # The map's items read 3 + 2 + 2 = 7 where the headline said 5 journey items: the complete stage's two
    # churn posts are use-stage posts too, and nothing said so.
    from journeywatch.reports import add_charts, render_html
    digest = _digest(sqlite_url, [("second_moment", "negative", "I cancelled my Northwind subscription"),
                                  ("second_moment", "negative", "Never buying Northwind again"),
                                  ("second_moment", "positive", "Northwind grinder is fine"),
                                  ("ultimate_moment", "negative", "Avoid Northwind"),
                                  ("ultimate_moment", "negative", "Avoid Northwind please")])
    note = ("complete's 2 items are counted in their own stages too: the other stages add up to the week's 5 "
            "journey items")
    assert f". {note[0].upper()}{note[1:]}." in render_markdown(digest).replace("*", "")  # a sentence of its own
    page = html.unescape(render_html(add_charts(digest)))
    assert note[0].upper() + note[1:] in page  # a sentence of its own there


def test_a_right_to_left_quote_is_isolated_from_its_quote_marks(sqlite_url: str) -> None:
    # An Arabic post quoted in the left-to-right page took the opening quote mark into its own run: the mark
    # showed at its far end and the English words after it in the wrong place.
    from journeywatch.reports import add_charts, render_html
    text = "تطبيق Northwind لا يعمل منذ أمس"
    digest = _digest(sqlite_url, [("second_moment", "negative", text)])
    page = render_html(add_charts(digest))
    assert f'&ldquo;<span dir="auto">{text}</span>&rdquo;' in page


def test_a_stage_with_no_earlier_items_says_its_terms_had_nothing_to_compare_with(sqlite_url: str) -> None:
    # Share talk began this week (twelve posts about a login outage): its emerging terms read '—', as if
    # nothing stood out, where there was nothing in that stage to compare with.
    from journeywatch.reports import add_charts, render_html
    engine = open_database(sqlite_url)
    posts = [(1, "second_moment", f"Northwind grinder works fine {n}") for n in range(6)]
    posts += [(0, "ultimate_moment", f"Avoid Northwind, cannot log in for days {n}") for n in range(12)]
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, author=f"a{n}", brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=2 + n))
                         for n, (w, _m, text) in enumerate(posts)])
    save_predictions(engine, "v", [(n + 1, Prediction(moment, 0.9, "negative", 0.9, {}, {}))
                                   for n, (_w, moment, _t) in enumerate(posts)])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    digest = build_digest(engine, config, BRAND, parse_week(WEEK))
    assert "| share | nothing earlier in this stage |" in render_markdown(digest)
    page = html.unescape(render_html(add_charts(digest)))
    assert "nothing earlier in this stage" in page


def test_an_alerts_time_is_in_the_digests_timezone(sqlite_url: str) -> None:
    # A New York team's digest listed 'Tue 10 Nov 03:00 UTC' for a spike its quotes would date Mon 9 Nov.
    from sqlalchemy import insert

    from journeywatch.reports.fired_alerts import alert_summary
    from journeywatch.storage.tables import alerts
    engine = open_database(sqlite_url)
    at = WEEK_START + timedelta(days=1, hours=3)  # Tue 10 Nov 03:00 UTC: Mon 9 Nov 22:00 in New York
    with engine.begin() as connection:
        connection.execute(insert(alerts), [{
            "brand": BRAND, "window_start": at, "window_end": at + timedelta(hours=1),
            "last_window_end": at + timedelta(hours=1), "status": "ended", "observed": 9, "expected": 1.0,
            "ratio": 9.0, "p_value": 1e-5, "model": "poisson", "windows": 1, "negative_share": 0.6,
            "share_items": 15, "evidence": {"sources": {}, "top_items": []}, "deliveries": [],
            "created_at": at + timedelta(hours=1)}])
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}],
                           "digest": {"timezone": "America/New_York"}})
    digest = build_digest(engine, config, BRAND, parse_week(WEEK))
    assert alert_summary(digest.alerts[0], digest.timezone)[0] == "Mon 9 Nov 22:00 EST"
    assert "- Mon 9 Nov 22:00 EST: 9 negative share-stage items" in render_markdown(digest)


def test_returning_authors_say_from_when(sqlite_url: str) -> None:
    # The HTML's '22 of 62 authors came back (35.5%)' did not say in which weeks they had written before.
    from journeywatch.reports import add_charts, render_html
    digest = _digest(sqlite_url, [("second_moment", "negative", "Never buying Northwind again")])
    digest.stages[-1].extra.update(authors=62, repeat_authors=22, repeat_author_share=35.5, history_items=80)
    text = html.unescape(render_html(add_charts(digest)))
    assert "22 of 62 authors came back (35.5%): wrote in the previous 7 weeks too" in text


def test_one_retention_item_is_counted_in_its_own_stage(sqlite_url: str) -> None:
    # 'Complete's 1 item is counted in their own stages too'.
    digest = _digest(sqlite_url, [("second_moment", "negative", "Never buying Northwind again")])
    assert "Complete's 1 item is counted in its own stage too" in render_markdown(digest)
