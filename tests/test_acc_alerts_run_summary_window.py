"""`run`'s summary names a fired alert's whole window, as `alerts check` and `alerts list` do.

A brand manager in Paris read "ALERT Café Zoë: 16 negative share-stage items in the window from Thu 19 Nov
15:00 CET (14:00 UTC)" at the end of `run`, while `alerts check` and `alerts list` wrote the same alert
"Thu 19 Nov 15:00–16:00 CET (14:00–15:00 UTC)": the summary gave no end, so "from 15:00" read as a spike
still going on, and the README promises the whole window there too.
"""

from __future__ import annotations

from pathlib import Path

from journeywatch.flows.monitor import alerts_task
from journeywatch.storage import open_database
from tests.alerts_demo import demo_config, load_demo


def test_the_run_summary_gives_the_alert_window_with_its_end(sqlite_url: str, tmp_path: Path) -> None:
    log = tmp_path / "alerts.log"
    config = demo_config(sqlite_url, [f"file://{log}"])
    config.digest.timezone = "Europe/Paris"
    load_demo(open_database(sqlite_url), config)
    [fired] = alerts_task.fn(config)["fired"]
    # The demo's spike hour, 14:00-15:00 UTC on Wed 18 Nov, in the config's zone with UTC beside it.
    assert "items in Wed 18 Nov 15:00–16:00 CET (14:00–15:00 UTC), expected " in fired, fired
    assert "window from" not in fired
    # The same words as the alert message sent to the target.
    assert "Wed 18 Nov 15:00–16:00 CET (14:00–15:00 UTC)" in log.read_text(encoding="utf-8")
