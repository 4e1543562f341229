"""A brand with no item by the week's end counts 0, not null, for the weeks the database covers.

A brand whose query matched nothing, in a database holding eight weeks of another brand's items, had a trend
of null for seven weeks and 0 for this one (JSON `trend.counts`, each stage's `history`), and its headline
said 'no data this week' beside that 0. A digest asked for a week before a brand's first item read the same.
The sources were read in those weeks: for such a brand each week from the first item stored from the config's
sources is a measured 0; a week before it is null, for every format alike. A brand with items keeps its
weeks before its first item as null. Digests are built from a real SQLite database.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import Digest, build_digest, parse_week, render_json, render_markdown
from journeywatch.settings import parse_config
from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, WEEK_START, Item, fill, make_items

QUIET, LATE = "Quiet Brand", "Late Brand"


def _late_item() -> Item:
    """LATE's only item, in WEEK."""
    mention = Mention(source="trustpilot", external_id="late-1", text="Late Brand kettle arrived, works fine",
                      created_at=WEEK_START + timedelta(days=2), url="https://example.org/late/1",
                      author="author-9", brands=[LATE])
    return Item(mention, Prediction("second_moment", 0.9, "positive", 0.9, {"second_moment": 0.9}, {"positive": 0.9}))


def _database(tmp_path_factory: pytest.TempPathFactory, weeks: int) -> tuple[Engine, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('quiet') / 'j.db'}"
    engine = open_database(url)
    fill(engine, make_items(weeks=weeks, hostile=False) + [_late_item()])
    config = parse_config({"database": url, "brands": [{"name": name, "query": name.split()[0].lower()}
                                                       for name in (BRAND, QUIET, LATE)]})
    return engine, config


@pytest.fixture(scope="module")
def nine_weeks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Any]:
    """BRAND's items over nine weeks ending with WEEK (the trend's eight and one more), LATE's in WEEK."""
    return _database(tmp_path_factory, 9)


@pytest.fixture(scope="module")
def three_weeks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Any]:
    """BRAND's items over the three weeks ending with WEEK only: the database covers no earlier week."""
    return _database(tmp_path_factory, 3)


def _weekly(digest: Digest) -> set[tuple[int | None, ...]]:
    """Every weekly series the JSON holds: each moment's and sentiment's counts, each stage's history. The
    retention stage's is cut to its last five weeks: its cue language is looked for from the four weeks before
    this one only, and the three before those are null whatever is stored."""
    data = json.loads(render_json(digest))
    for stage in data["stages"]:
        if stage["derived"]:
            assert stage["history"][:3] == [None] * 3
    return ({tuple(series) for by_sentiment in data["trend"]["counts"].values() for series in by_sentiment.values()}
            | {tuple(stage["history"][3:] if stage["derived"] else stage["history"]) for stage in data["stages"]})


def test_a_brand_that_matched_nothing_counts_every_covered_week_as_0(nine_weeks: tuple[Engine, Any]) -> None:
    digest = build_digest(*nine_weeks, QUIET, parse_week(WEEK))
    assert digest.first_item is None
    assert _weekly(digest) == {(0,) * 8, (0,) * 5}
    markdown = render_markdown(digest)
    assert "no data" not in markdown
    assert "**Mentions:** 0 (none this week or last;" in markdown  # ...; 1 source failed to fetch: see coverage


def test_a_week_before_a_brands_first_item_counts_as_0_where_covered(nine_weeks: tuple[Engine, Any]) -> None:
    """LATE's first item is in WEEK: its digest of two weeks before reads 0 there and in the weeks before, back
    to the first week the database covers (the trend's second: BRAND's nine weeks end with WEEK)."""
    digest = build_digest(*nine_weeks, LATE, parse_week(WEEK).shift(-2))
    assert _weekly(digest) == {(None,) + (0,) * 7, (0,) * 5}
    assert "**Mentions:** 0 (none this week or last)" in render_markdown(digest)
    # ...while its digest of WEEK keeps the weeks before its first item as no data, as for any brand with items
    assert {series[:-1] for series in _weekly(build_digest(*nine_weeks, LATE, parse_week(WEEK)))} == {
        (None,) * 7, (None,) * 4}


def test_weeks_the_database_does_not_cover_stay_null(three_weeks: tuple[Engine, Any]) -> None:
    digest = build_digest(*three_weeks, QUIET, parse_week(WEEK))
    assert _weekly(digest) == {(None,) * 5 + (0,) * 3, (None,) * 2 + (0,) * 3}
    markdown = render_markdown(digest)
    assert "| no data | no data | no data | no data | no data | 0 | 0 | 0 |" in markdown
    assert "before the first item stored from the sources" in markdown
