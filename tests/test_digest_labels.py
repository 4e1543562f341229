"""What a brand manager reads in the Markdown digest: the journey's names, not the code's labels."""

from __future__ import annotations

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
