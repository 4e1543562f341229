"""`alerts list` counts a spike's items over the span it shows, not only the first window's.

A spike raised at 14:00 and flagged for two more hours listed "2026-11-18 14:00–17:00 UTC" above
"16 items, ... expected": the first hour's count, while 27 negative share-stage items fell in the span.
The demo's history and spike, two more hours of complaints, and hourly checks as the monitor runs them,
on real SQLite, listed by the real command.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.alerts import check_alerts
from journeywatch.cli import app
from journeywatch.domain import Mention, Moment, Prediction, Sentiment
from journeywatch.flows.steps import classify_pending
from journeywatch.settings import DATABASE_ENV, load_config
from journeywatch.storage import open_database, store_batch
from tests.test_alerts_cli import demo_config_file

runner = CliRunner()
BRAND = "Northwind Air"
SPIKE = datetime(2026, 11, 18, 14, 0, tzinfo=timezone.utc)  # the demo's spike: 16 complaints in this hour
HOUR = timedelta(hours=1)


class Complaints:
    """Labels every text as negative share-stage talk: the posts this test adds are complaints."""

    version = "answer-key"

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(Moment.ULTIMATE.value, 0.9, Sentiment.NEGATIVE.value, 0.9, {}, {}) for _ in texts]


def _complaints(start: datetime, count: int, tag: str) -> None:
    """`count` negative share-stage posts written in the hour from `start`, stored and classified."""
    engine = open_database(load_config(Path("journeywatch.yaml")).database)
    store_batch(engine, [Mention(source="forum", external_id=f"{tag}-{n}", brands=[BRAND], author=f"{tag}{n}",
                                 text=f"Warning: never fly Northwind Air, they lost my bag ({tag} {n})",
                                 created_at=start + timedelta(minutes=5 * n + 1)) for n in range(count)])
    classify_pending(engine, Complaints())


def _check(path: Path, now: datetime) -> None:
    config = load_config(path)
    check_alerts(open_database(config.database), config, now=now)


def test_a_spike_flagged_for_two_more_hours_lists_the_spans_count(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"})
    _check(path, SPIKE + HOUR)  # the hourly run after the demo's spike raises it
    _complaints(SPIKE + HOUR, 6, "second")
    _check(path, SPIKE + 2 * HOUR)
    _complaints(SPIKE + 2 * HOUR, 5, "third")
    _check(path, SPIKE + 3 * HOUR)
    _complaints(SPIKE + HOUR, 4, "late")  # arrived after 15:00 was judged: counted by no check, nor here

    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "2026-11-18 14:00–17:00 UTC" in listed.output, listed.output
    assert "27 items over 14:00–17:00, 16 of them in 14:00–15:00 (the window that raised it): " in listed.output, \
        listed.output
    assert "\n    16 items," not in listed.output

    as_json = runner.invoke(app, ["alerts", "list", "--config", str(path), "--json"])
    [alert] = json.loads(as_json.output)
    assert (alert["observed"], alert["span_observed"]) == (16, 27)


def test_a_spike_of_one_window_lists_as_before(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"})
    _check(path, SPIKE + 3 * HOUR)
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "200"})
    assert "2026-11-18 14:00–15:00 UTC" in listed.output and "\n    16 items, " in listed.output, listed.output
    assert " over " not in listed.output
