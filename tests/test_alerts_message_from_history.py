"""The first check over 8 weeks of imported history raised spikes of 23 Oct and 1 Nov on 24 Nov and sent them as
any alert: "8 negative share-stage items (this window, 2026-10-23 10:00–11:00 UTC) ...", read in a chat as live."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from journeywatch.alerts.alert import Alert
from journeywatch.alerts.message import alert_html


def _alert(found_after: timedelta) -> Alert:
    start = datetime(2026, 10, 23, 10, tzinfo=timezone.utc)
    end = start + timedelta(hours=1)
    return Alert(1, "Northwind Coffee", start, end, end, "ended", 8, 1.1, 7.6, 3.6e-5, "negbin", 1, 0.89, 9, [],
                 {"history": 8}, end + found_after)


def test_a_spike_found_weeks_after_its_window_says_so_first() -> None:
    body = alert_html(_alert(timedelta(days=32, hours=13)))
    assert body.startswith("<p><em>From stored history: this window ended 32 days before this check judged it")


def test_a_live_spike_reads_as_before() -> None:
    body = alert_html(_alert(timedelta(minutes=5)))
    assert body.startswith("<h2>Northwind Coffee: negative share-stage spike</h2>")
