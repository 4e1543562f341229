"""The digest's "Alerts fired" lines count a spike's items over its whole span, as `alerts list` does.

Two spikes in the demo's week, each flagged for more hours after the one that raised it, found by hourly
checks as the monitor runs them, on real SQLite: the highlight counted 2 alerts, right, but each listed alert
said "16 negative share-stage items" (the raising hour's) where 27 fell in its 14:00–17:00 span, and
"12" where 24 fell in 14:00–16:00, while `alerts list` said 27 and 24 for the same alerts.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.cli import app
from journeywatch.settings import DATABASE_ENV
from tests.test_alerts_cli import demo_config_file
from tests.test_fix2_alerts_span_count import HOUR, SPIKE, _check, _complaints

runner = CliRunner()
FRIDAY = SPIKE + timedelta(days=2)  # Fri 20 Nov 14:00 UTC, the same digest week (2026-W47)


def _digest(path: Path, out: Path, *extra: str) -> dict[str, str]:
    result = runner.invoke(app, ["digest", "--config", str(path), "--brand", "Northwind Air", "--week", "2026-W47",
                                 "--out", str(out), "--no-send", *extra], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return {f.suffix: f.read_text(encoding="utf-8") for f in out.iterdir()}


def test_each_alert_fired_in_the_week_counts_its_whole_span(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"})
    _check(path, SPIKE + HOUR)  # the demo's spike: 16 complaints at 14:00
    _complaints(SPIKE + HOUR, 6, "second")
    _check(path, SPIKE + 2 * HOUR)
    _complaints(SPIKE + 2 * HOUR, 5, "third")
    _check(path, SPIKE + 3 * HOUR)
    _complaints(FRIDAY, 12, "fri")
    _check(path, FRIDAY + HOUR)
    _complaints(FRIDAY + HOUR, 12, "fri2")
    _check(path, FRIDAY + 2 * HOUR)

    files = _digest(path, tmp_path / "digests")
    md = files[".md"]
    assert "- 2 spike alerts fired on negative share-stage talk this week." in md, md
    fired = md.split("## Alerts fired\n\n")[1].split("\n\n")[0].splitlines()
    assert len(fired) == 2, fired
    assert re.match(r"- Wed 18 Nov 14:00 UTC: 27 negative share-stage items over 14:00–17:00, 16 of them "
                    r"in 14:00–15:00 \(the window that raised it\) where 0\.0\d+ were expected \(>1000×\); "
                    r"top sources: social 9, reviews 4, forum 3; ended", fired[0]), fired
    assert fired[1].startswith("- Fri 20 Nov 14:00 UTC: 24 negative share-stage items over 14:00–16:00, 12 of them "
                               "in 14:00–15:00 (the window that raised it) where "), fired
    assert "27 negative share-stage items over 14:00–17:00, 16 of them" in files[".html"]
    alerts = json.loads(files[".json"])["alerts"]
    assert [(a["observed"], a["span_observed"]) for a in alerts] == [(16, 27), (12, 24)]

    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "200"})
    assert "27 items over 14:00–17:00, 16 of them in 14:00–15:00" in listed.output, listed.output
    assert "24 items over 14:00–16:00, 12 of them in 14:00–15:00" in listed.output, listed.output


def test_a_span_is_given_in_the_digests_timezone(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"})
    path.write_text(path.read_text(encoding="utf-8") + "digest:\n  timezone: Asia/Kolkata\n", encoding="utf-8")
    _check(path, SPIKE + HOUR)
    _complaints(SPIKE + HOUR, 6, "second")
    _check(path, SPIKE + 2 * HOUR)
    md = _digest(path, tmp_path / "digests")[".md"]
    # 14:00–16:00 UTC is 19:30–21:30 in Kolkata (+05:30), where the week and the quotes are dated.
    assert ("- Wed 18 Nov 19:30 IST: 22 negative share-stage items over 19:30–21:30, 16 of them in 19:30–20:30 "
            "(the window that raised it) where ") in md, md


def test_a_one_window_spike_reads_as_before(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"})
    _check(path, SPIKE + 3 * HOUR)
    files = _digest(path, tmp_path / "digests")
    assert re.search(r"- Wed 18 Nov 14:00 UTC: 16 negative share-stage items where 0\.0\d+ were expected \(>1000×\); "
                     r"top sources: social 9, reviews 4, forum 3", files[".md"]), files[".md"]
    assert " over " not in files[".md"].split("## Alerts fired")[1].split("## Data coverage")[0]
    assert [(a["observed"], a["span_observed"]) for a in json.loads(files[".json"])["alerts"]] == [(16, 16)]
