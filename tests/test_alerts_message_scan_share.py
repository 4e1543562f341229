"""An alert raised by a sum of windows says which window its negative share is of.

Found with `window: 1w`: "22 negative share-stage items (the last 2 windows, 2026-11-05 00:00–2026-11-19
00:00 UTC) ... Negative share of share-stage items in the window: 100% of 19": 22 negative items of 19,
to a reader, as the share is the last window's alone and "the window" named none.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from journeywatch.alerts import Alert
from journeywatch.alerts.message import alert_html


def _alert(windows: int) -> Alert:
    start = datetime(2026, 11, 2, tzinfo=timezone.utc)
    end = start + windows * timedelta(weeks=1)
    return Alert(1, "Northwind Air", start, end, end, "active", 22, 2.9, 7.5, 6.8e-10, "negbin", windows,
                 1.0, 19, [], {"social": 12}, end)


def test_a_two_window_alert_gives_its_share_for_the_last_window_named() -> None:
    body = " ".join(alert_html(_alert(2)).split())
    assert "in the window:" not in body
    assert ("Negative share of share-stage items in the last of those windows "
            "(2026-11-09 00:00–2026-11-16 00:00 UTC): 100% of 19.") in body, body


def test_a_one_window_alert_still_says_the_window() -> None:
    body = " ".join(alert_html(_alert(1)).split())
    assert "Negative share of share-stage items in the window: 100% of 19." in body, body
