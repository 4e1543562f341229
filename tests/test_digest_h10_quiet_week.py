"""A week with no mentions after the brand's first item is a measured zero, not missing data."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import update

from journeywatch.domain import Mention
from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_markdown
from journeywatch.reports.model import Digest
from journeywatch.settings import parse_config
from journeywatch.storage import finish_run, open_database, record_source_result, start_run, store_batch
from journeywatch.storage.tables import source_runs
from tests.test_digest_data import BRAND, WEEK, WEEK_START


def _digest(url: str, weeks_before: list[int], week: str = WEEK) -> Digest:
    """A brand with three posts in each of the given weeks before WEEK, and its digest for `week`."""
    engine = open_database(url)
    store_batch(engine, [Mention(source="s", external_id=f"{w}-{n}", text=f"Northwind is fine {w} {n}", brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=3 + n))
                         for w in weeks_before for n in range(3)])
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}]})
    return build_digest(engine, config, BRAND, parse_week(week))


def _mentions_line(digest: Digest) -> str:
    return next(line for line in render_markdown(digest).splitlines() if line.startswith("- **Mentions:**"))


def test_a_quiet_week_after_the_first_item_reads_none_not_no_data(sqlite_url: str) -> None:
    # A brand watched for weeks, nobody wrote this week: '0 (no data this week)' read as collection failing.
    digest = _digest(sqlite_url, [1, 2])
    assert _mentions_line(digest) == "- **Mentions:** 0 (none this week, 3 last week); 0 on the journey"
    page = html.unescape(render_html(add_charts(digest)))
    assert "none this week, 3 last week" in page and "no data this week" not in page


def test_a_quiet_last_week_reads_none_last_week(sqlite_url: str) -> None:
    assert _mentions_line(_digest(sqlite_url, [0, 2])).startswith("- **Mentions:** 3 (none last week)")


def test_weeks_before_the_first_item_still_have_no_data(sqlite_url: str) -> None:
    assert _mentions_line(_digest(sqlite_url, [0])).startswith("- **Mentions:** 3 (no data last week)")
    before = _digest(sqlite_url, [], week=parse_week(WEEK).shift(-3).label)
    assert _mentions_line(before).startswith("- **Mentions:** 0 (no data this week)")


def test_a_quiet_week_with_failed_sources_says_so(sqlite_url: str) -> None:
    # Nothing written is measured only where the sources were read: a failed fetch is said beside the zero.
    engine = open_database(sqlite_url)
    run = start_run(engine, "monitor")
    record_source_result(engine, run, "news-feed", "failed", error="HTTP 503")
    finish_run(engine, run, "partial", {})
    with engine.begin() as connection:  # the failed fetch happened during WEEK
        connection.execute(update(source_runs).values(finished_at=WEEK_START + timedelta(days=3)))
    digest = _digest(sqlite_url, [2])
    assert _mentions_line(digest) == ("- **Mentions:** 0 (none this week or last; 1 source failed to fetch: see "
                                      "coverage); 0 on the journey")
