"""A brand added to the config after its sources were read is 'not tracked' for the weeks read before, not 0.

Items are matched to brands as they are collected, and items matching no brand are not stored: what the sources
held before a brand was added was never matched against it. Reproduced with real monitor runs: a config with
Acme alone read three weeks of an export; Bolt and Zephyr were added and a fourth week was read. Bolt's digest
of that week counted a late row of the second week as that week's talk and 0 for the third; Zephyr, whose
query matched nothing, read 0 for all three weeks, "nobody talked about us", where nothing had been collected
for it. The runs' records say which brands each run matched, and the items when they were fetched: weeks whose
items were read before the brand's first run are now null ('not tracked') in JSON, with `tracked_since`, and
said so in Markdown and HTML. Acme, in the config from the first run, reads as before.
"""

from __future__ import annotations

import html
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from journeywatch.domain import Mention
from journeywatch.flows.monitor import monitor_flow
from journeywatch.reports import Digest, add_charts, build_digest, parse_week, render_html, render_json
from journeywatch.reports import render_markdown
from journeywatch.settings import load_config
from journeywatch.storage import finish_run, open_database, start_run, store_batch
from journeywatch.storage.digest_queries import tracked_since
from tests.test_digest_data import WEEK, WEEK_START

_TEXTS = ["{} kettle arrived broken, never buying again", "Love my new {} kettle, boils fast",
          "Thinking about buying a {} kettle, any reviews?"]
ADDED_AT = WEEK_START  # week 4 (WEEK) is read after Bolt and Zephyr were added; weeks 1-3 before
NEWEST_READ_BEFORE = WEEK_START - timedelta(days=3) + timedelta(hours=14)  # the last row of week 3 (a Friday)


def _rows(week_start: Any, brands: tuple[str, ...], tag: str) -> list[dict[str, str]]:
    """Weekdays Mon-Fri of one week, each brand's three texts a day, the last at 14:00 on Friday."""
    return [{"id": f"{tag}-{brand}-{day}-{n}", "text": text.format(brand),
             "created_at": (week_start + timedelta(days=day, hours=10 + 2 * n)).isoformat()}
            for day in range(5) for brand in brands for n, text in enumerate(_TEXTS)]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("a", encoding="utf-8") as export:
        export.writelines(json.dumps(row) + "\n" for row in rows)


def _config(path: Path, url: str, brands: list[str]) -> Path:
    listed = "".join(f"  - {{name: {brand}, query: {brand.lower()}}}\n" for brand in brands)
    path.write_text(f"database: {url}\nbrands:\n{listed}sources:\n"
                    "  - {name: export, kind: file, path: export.jsonl, format: jsonl, source_kind: social}\n"
                    "alerts: {enabled: false}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def added_later(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Any]:
    """Weeks 1-3 read with Acme alone (Bolt talked about in them too); then Bolt and Zephyr added, week 4 read,
    with one late row of Bolt's dated in week 2."""
    folder = tmp_path_factory.mktemp("added")
    url = f"sqlite:///{folder / 'j.db'}"
    export = folder / "export.jsonl"
    for weeks_before in (3, 2, 1):
        _write(export, _rows(WEEK_START - timedelta(weeks=weeks_before), ("Acme", "Bolt"), f"w{weeks_before}"))
    assert monitor_flow(str(_config(folder / "a.yaml", url, ["Acme"])))["brands"]["Acme"]["new"] == 45
    late = {"id": "late-1", "text": "Bolt kettle is lovely, best purchase this year",
            "created_at": (WEEK_START - timedelta(weeks=2, days=-1)).isoformat()}
    _write(export, _rows(WEEK_START, ("Acme", "Bolt"), "w0") + [late])
    config = _config(folder / "ab.yaml", url, ["Acme", "Bolt", "Zephyr"])
    summary = monitor_flow(str(config))
    assert (summary["brands"]["Bolt"]["new"], summary["brands"]["Zephyr"]["new"]) == (16, 0)
    return open_database(url), load_config(config)


def _series(digest: Digest) -> set[tuple[int | None, ...]]:
    """The week-by-week series of the JSON: each moment × sentiment count and each stage's history."""
    data = json.loads(render_json(digest))
    return ({tuple(s) for by_sentiment in data["trend"]["counts"].values() for s in by_sentiment.values()}
            | {tuple(stage["history"]) for stage in data["stages"] if not stage["derived"]})


def test_weeks_read_before_a_brand_was_added_are_not_tracked_in_json(added_later: tuple[Engine, Any]) -> None:
    bolt = build_digest(*added_later, "Bolt", parse_week(WEEK))
    data = json.loads(render_json(bolt))
    assert data["tracked_since"] == NEWEST_READ_BEFORE.isoformat()
    assert {series[:-1] for series in _series(bolt)} == {(None,) * 7}  # not the late row's 1, nor 0s
    assert sum(s[-1] for by_sentiment in data["trend"]["counts"].values() for s in by_sentiment.values()) == 15
    zephyr = build_digest(*added_later, "Zephyr", parse_week(WEEK))
    assert _series(zephyr) == {(None,) * 7 + (0,)}
    assert json.loads(render_json(zephyr))["tracked_since"] == NEWEST_READ_BEFORE.isoformat()


def test_markdown_and_html_say_not_tracked(added_later: tuple[Engine, Any]) -> None:
    zephyr = build_digest(*added_later, "Zephyr", parse_week(WEEK))
    markdown = render_markdown(zephyr)
    assert "| Stimulus | " + "not tracked | " * 7 + "0 |" in markdown
    assert "**Mentions:** 0 (none this week; not tracked last week)" in markdown
    note = ("Not tracked: the brand was added to the config after its sources had been read up to Fri 6 Nov 14:00 "
            "(UTC); what they held until then was never matched against it.")
    assert note in markdown
    assert note in render_markdown(build_digest(*added_later, "Bolt", parse_week(WEEK)))
    page = html.unescape(render_html(add_charts(zephyr)))
    assert "Shaded weeks (2026-W39 to 2026-W45) were not tracked: the brand was added to the config after" in page
    assert "0 (none this week or last" not in markdown


def test_a_week_before_the_brand_was_added_says_so_in_its_own_digest(added_later: tuple[Engine, Any]) -> None:
    """Bolt's digest of week 2, which holds only the late row: the week was not tracked, and the highlights say
    its figures count only what was collected later."""
    digest = build_digest(*added_later, "Bolt", parse_week(WEEK).shift(-2))
    assert digest.headline.volume.value == 1
    markdown = render_markdown(digest)
    assert "Bolt was not tracked before Fri 6 Nov 14:00 (UTC)" in markdown.split("## Journey map")[0]
    assert "not tracked last week" in markdown


def test_a_brand_in_the_config_from_the_first_run_reads_as_before(added_later: tuple[Engine, Any]) -> None:
    acme = build_digest(*added_later, "Acme", parse_week(WEEK))
    assert acme.tracked_since is None and json.loads(render_json(acme))["tracked_since"] is None
    assert {series[:4] for series in _series(acme)} == {(None,) * 4}  # before its first item, as always
    assert all(None not in series[4:] for series in _series(acme))
    assert "not tracked" not in render_markdown(acme)


def test_the_runs_records_are_read_alike_on_sqlite_and_postgresql(database_url: str) -> None:
    """`tracked_since` from the runs' JSON summaries, for a brand name holding a quote and a dot (no JSON path)."""
    engine = open_database(database_url)
    odd = 'Bo"lt.Co'
    written = WEEK_START + timedelta(hours=3)
    run = start_run(engine, "monitor")
    store_batch(engine, [Mention(source="export", external_id="1", text="Acme kettle", created_at=written,
                                 brands=["Acme"])])
    finish_run(engine, run, "ok", {"brands": {"Acme": {"new": 1}}})
    interrupted = start_run(engine, "monitor")  # recorded no brands: it tells nothing
    finish_run(engine, interrupted, "interrupted", {})
    finish_run(engine, start_run(engine, "monitor"), "ok", {"brands": {"Acme": {}, odd: {}}})
    assert tracked_since(engine, odd, ["export"]) == written
    assert tracked_since(engine, "Acme", ["export"]) is None  # in the config from the first run
    assert tracked_since(engine, "Never Run", ["export"]) == written  # added, and no run since
    assert tracked_since(engine, odd, ["another-config's"]) is None  # its sources were not read before


def test_net_sentiment_and_the_negative_share_say_last_week_was_not_tracked(added_later: tuple[Engine, Any]) -> None:
    """'Net sentiment: +20 (no journey items last week)' read as a measured week without journey talk."""
    bolt = add_charts(build_digest(*added_later, "Bolt", parse_week(WEEK)))
    head = render_markdown(bolt).split("## Journey map")[0]
    assert head.count("(not tracked last week)") == 3 and "no journey items" not in head
    cards = html.unescape(render_html(bolt)).split('data-section="headline"')[1].split('data-section="journey-map"')[0]
    assert cards.count("not tracked last week") == 3 and "no journey items" not in cards
    zephyr = render_markdown(build_digest(*added_later, "Zephyr", parse_week(WEEK))).split("## Journey map")[0]
    assert zephyr.count("(no journey items this week)") == 2  # this week was tracked: measured, and none
