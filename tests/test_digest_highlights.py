"""The digest's opening lines say which stages were too quiet to judge, rather than leave them out unsaid."""

from __future__ import annotations

import html
from datetime import timedelta

from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_markdown
from journeywatch.reports.highlights import _biggest_move
from journeywatch.reports.model import StageFigures
from journeywatch.settings import parse_config
from journeywatch.domain import Mention
from journeywatch.storage import open_database, store_batch
from tests.test_digest_data import WEEK
from tests.test_digest_labels import _digest


def test_stages_too_quiet_to_highlight_are_named(sqlite_url: str) -> None:
    # Purchase talk was three furious items, share one: the highlights named only use, and read as if
    # nothing else happened.
    posts = ([("second_moment", "positive", f"Northwind grinder works fine {n}") for n in range(6)]
             + [("first_moment", "negative", f"Northwind checkout charged me twice {n}") for n in range(3)]
             + [("ultimate_moment", "negative", "Avoid Northwind")])
    digest = _digest(sqlite_url, posts)
    quiet = [line for line in digest.highlights if "Too few" in line]
    assert quiet == ["Too few items to highlight: purchase (3 items), share (1 item); read them below."], \
        digest.highlights
    assert quiet[0] in render_markdown(digest).replace("\\", "")  # Markdown escapes the brackets
    assert "No stage of 5 items or more leans negative; the lowest is use at net +100." in digest.highlights


def _stage(name: str, volume: int, change: float | None, baseline: float) -> StageFigures:
    return StageFigures(name=name, moments=[], derived=None, volume=volume,
                        sentiment={"negative": volume, "neutral": 0, "positive": 0}, net_sentiment=-100.0,
                        baseline=baseline, change_vs_baseline=change, history=[])


def test_a_stage_level_with_its_average_is_no_move_down_0_percent() -> None:
    # Hearth & Co's only busy stage read 'Biggest move: purchase talk is down 0% on its average'.
    stages = [_stage("purchase", 6, 0.0, 6.0), _stage("use", 7, 0.4, 6.97)]
    line = _biggest_move(stages, 4)
    assert line == ("No stage moved: each is within 1% of its weekly average (the busiest, use, had 7 items "
                    "this week, 7 a week on average over the previous four weeks)."), line
    assert _biggest_move([_stage("use", 9, -22.0, 11.5)], 4).startswith("Biggest move: use talk is down 22%")


def test_a_brand_with_nothing_stored_says_so_first(sqlite_url: str) -> None:
    # A brand with nothing stored got a digest of zeros and 'no data' that read like a dead week. Here nothing was
    # collected at all (a first run whose sources failed): the query is not to blame.
    open_database(sqlite_url)
    config = parse_config({"database": sqlite_url, "brands": [{"name": "Zephyr Mobile", "query": "zephyr"}]})
    digest = build_digest(open_database(sqlite_url), config, "Zephyr Mobile", parse_week(WEEK))
    assert digest.first_item is None
    assert digest.highlights[0] == ("Nothing is stored for Zephyr Mobile yet: nothing has been collected from the "
                                    "config's sources yet. Check that they are enabled and fetch: each run's "
                                    "summary names the sources that failed."), digest.highlights
    assert digest.highlights[0] in render_markdown(digest)
    page = html.unescape(render_html(add_charts(digest)))
    assert "have no data: nothing is stored for the brand yet." in page and "first item" not in page


def test_a_query_that_matched_nothing_is_named(sqlite_url: str) -> None:
    # Its sources have stored items, none naming the brand: the query is what to check.
    store_batch(open_database(sqlite_url), [Mention(source="export", external_id="x1", text="Brewhaus is fine",
                                                    created_at=parse_week(WEEK).start_utc("UTC") - timedelta(days=3))])
    config = parse_config({"database": sqlite_url, "brands": [{"name": "Zephyr Mobile", "query": "zephyr"}]})
    digest = build_digest(open_database(sqlite_url), config, "Zephyr Mobile", parse_week(WEEK))
    assert digest.first_item is None
    assert digest.highlights[0] == ("Nothing is stored for Zephyr Mobile yet: no collected item has matched its "
                                    "query. Check the query and the sources in the config."), digest.highlights
