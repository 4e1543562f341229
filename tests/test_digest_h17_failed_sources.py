"""A digest's coverage names the failed sources of its own config, not those of another sharing the database.

Several configs may share one database (README, Config). A second team's source failing made the first
team's digest say 'Coverage gap: other-team-feed failed to fetch during the week' and '1 source failed to
fetch' beside its mentions, for a source that never fed its brands.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from journeywatch.domain import Mention
from journeywatch.reports import build_digest, parse_week, render_markdown
from journeywatch.settings import Config, parse_config
from journeywatch.storage import finish_run, open_database, record_source_result, start_run, store_batch
from journeywatch.storage.tables import source_runs
from tests.test_digest_data import BRAND, WEEK, WEEK_START


def _record_failures(url: str, sources: list[str]) -> None:
    """Three posts and one run in which each of `sources` failed, during WEEK."""
    engine = open_database(url)
    store_batch(engine, [Mention(source="our-feed", external_id=str(n), text=f"Northwind is fine {n}",
                                 brands=[BRAND], created_at=WEEK_START + timedelta(hours=3 + n)) for n in range(3)])
    run = start_run(engine, "monitor")
    for source in sources:
        record_source_result(engine, run, source, "failed", error=f"{source}: HTTP 503")
    finish_run(engine, run, "partial", {})
    with engine.begin() as connection:
        connection.execute(update(source_runs).values(finished_at=WEEK_START + timedelta(days=3)))


def _config(url: str, sources: list[dict[str, object]]) -> Config:
    return parse_config({"database": url, "brands": [{"name": BRAND, "query": "northwind"}], "sources": sources},
                        strict=False)


def test_another_configs_failed_source_is_not_this_digests_gap(sqlite_url: str) -> None:
    _record_failures(sqlite_url, ["our-feed", "other-team-feed"])
    config = _config(sqlite_url, [{"name": "our-feed", "kind": "feed", "url": "https://example.org/feed.xml"}])
    digest = build_digest(open_database(sqlite_url), config, BRAND, parse_week(WEEK))
    assert [f.source for f in digest.coverage.failed_sources] == ["our-feed"]
    text = render_markdown(digest)
    assert "other-team-feed" not in text
    assert "Coverage gap: our-feed failed to fetch during the week." in digest.highlights


def test_a_bad_source_entry_of_this_config_still_counts(sqlite_url: str) -> None:
    # `run` records a source whose entry it could not use as failed under its name: it is this config's.
    _record_failures(sqlite_url, ["broken", "other-team-feed"])
    config = _config(sqlite_url, [{"name": "broken", "kind": "feed"}])  # no url: set aside, not fatal
    assert [name for name, _ in config.source_errors] == ["broken"]
    digest = build_digest(open_database(sqlite_url), config, BRAND, parse_week(WEEK))
    assert [f.source for f in digest.coverage.failed_sources] == ["broken"]


def test_a_config_listing_no_sources_reports_every_failure(sqlite_url: str) -> None:
    # A config kept for digests alone reads no source itself, so it cannot tell whose a failure is: all are said.
    _record_failures(sqlite_url, ["news-feed"])
    digest = build_digest(open_database(sqlite_url), _config(sqlite_url, []), BRAND, parse_week(WEEK))
    assert [f.source for f in digest.coverage.failed_sources] == ["news-feed"]
