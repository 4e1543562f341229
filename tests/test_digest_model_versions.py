"""The digest names the classifier model version(s) that tagged the items it counts, in every format.

Every stored classification keeps its model version, but no digest said which: a brand manager could not tell
whether its figures came from the model the model card measures, or from an older one a `reclassify` had not
yet replaced. The versions are counted over the items the digest counts (the eight weeks its trend shows), on a
real SQLite database.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_json, render_markdown
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions
from journeywatch.storage.tables import mentions
from tests.test_digest_data import BRAND, WEEK, WEEK_START, fill, make_items


def _digest(sqlite_url: str, retag: int = 0):  # type: ignore[no-untyped-def]
    """BRAND's digest of WEEK over nine weeks of items tagged 'test-v1', the `retag` newest of them 'test-v2'."""
    engine = open_database(sqlite_url)
    items = make_items(hostile=False)
    fill(engine, items)
    predictions = {i.mention.external_id: i.prediction for i in items if i.prediction}
    with engine.connect() as connection:
        newest = [(row.id, row.external_id) for row in connection.execute(
            select(mentions.c.id, mentions.c.external_id).where(mentions.c.external_id.in_(list(predictions)))
            .order_by(mentions.c.created_at.desc()).limit(retag))]
    save_predictions(engine, "test-v2", [(id_, predictions[external]) for id_, external in newest])
    retagged = {external for _, external in newest}
    config = parse_config({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    oldest = WEEK_START - timedelta(weeks=7)
    counted = Counter("test-v2" if i.mention.external_id in retagged else "test-v1" for i in items
                      if i.prediction and oldest <= i.mention.created_at < WEEK_START + timedelta(weeks=1))
    return build_digest(engine, config, BRAND, parse_week(WEEK)), dict(counted)


def test_the_json_counts_the_items_of_each_model_version(sqlite_url: str) -> None:
    digest, counted = _digest(sqlite_url, retag=30)
    assert set(counted) == {"test-v1", "test-v2"}  # the ninth week's items (before the trend) are not counted
    assert json.loads(render_json(digest))["model_versions"] == counted


def test_html_and_markdown_name_the_model_in_one_line(sqlite_url: str) -> None:
    digest, counted = _digest(sqlite_url)
    total = counted["test-v1"]
    line = f"Classified by model test-v1 ({total:,} items over the 8 weeks shown)"
    assert line in render_markdown(digest)
    page = html.unescape(render_html(add_charts(digest)))
    assert line in page.split('id="footer"')[1]


def test_two_versions_are_each_named_with_their_items_most_items_first(sqlite_url: str) -> None:
    digest, counted = _digest(sqlite_url, retag=30)
    line = (f"Classified by models test-v1 ({counted['test-v1']:,} items) and test-v2 ({counted['test-v2']:,} "
            "items) over the 8 weeks shown")
    assert line in render_markdown(digest)
    assert line in html.unescape(render_html(add_charts(digest)))
