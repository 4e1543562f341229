"""One alert's ratio to its expected count reads the same in its message, `alerts list` and the digest.

The webhook said "431× the brand's usual level", `alerts list` "(431.0×, ...)" and the digest's alert line
"(431.0×)": a brand manager comparing them read two figures.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from journeywatch.alerts.message import alert_html
from journeywatch.alerts.state import recent_alerts
from journeywatch.cli import app
from journeywatch.reports.fired_alerts import alert_summary
from journeywatch.settings import DATABASE_ENV
from journeywatch.storage import open_database
from journeywatch.storage.tables import alerts
from tests.test_digest_data import BRAND, WEEK_START


def _stored(url: str, ratio: float) -> None:
    at = WEEK_START + timedelta(days=2, hours=9)
    row = {"brand": BRAND, "window_start": at, "window_end": at + timedelta(hours=1),
           "last_window_end": at + timedelta(hours=1), "status": "ended", "observed": 12, "expected": 12 / ratio,
           "ratio": ratio, "p_value": 4.4e-28, "model": "poisson", "windows": 1, "negative_share": 1.0,
           "share_items": 12, "evidence": {"sources": {"posts": 12}, "top_items": []},
           "deliveries": [], "created_at": at + timedelta(hours=1)}
    with open_database(url).begin() as connection:
        connection.execute(insert(alerts), [row])


@pytest.mark.parametrize(("ratio", "text"), [(431.0, "431×"), (3.42, "3.4×"), (2075.1, ">1000×")])
def test_the_ratio_reads_alike_everywhere(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          ratio: float, text: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    _stored(sqlite_url, ratio)
    (alert,) = recent_alerts(open_database(sqlite_url))
    assert f"{text} the brand's usual level" in alert_html(alert)

    listed = CliRunner().invoke(app, ["alerts", "list", "--database", sqlite_url], env={"COLUMNS": "120"})
    assert listed.exit_code == 0, listed.output
    assert f"expected ({text}, p=4.4e-28)" in listed.output, listed.output

    _, what = alert_summary({"window_start": alert.window_start, "observed": 12, "expected": alert.expected,
                             "ratio": ratio, "sources": {"posts": 12}, "status": "ended"})
    assert f"were expected ({text}); top sources: posts 12; ended" in what, what
