"""A spike that began on Sunday night and was still flagged on Monday is in both weeks' digests.

The digest picked the week's alerts by the window that raised them, so a brand manager reading Monday's
week saw "No negative share-stage spike alerts this week" while the spike's later hours fell in it.
"""

from __future__ import annotations

import json
from datetime import timedelta

from journeywatch.alerts import check_alerts, recent_alerts
from journeywatch.reports import add_charts, build_digest, parse_week, render_html, render_json, render_markdown
from journeywatch.settings import Brand, Config
from journeywatch.storage import open_database
from tests.test_alerts_check import T0, _background, _store

SPIKE = T0 + timedelta(days=20, hours=22)  # Sunday 25 Oct 2026, 22:00 UTC (ISO week 2026-W43)


def test_a_spike_running_into_the_next_week_is_in_its_digest_as_begun_earlier(database_url: str) -> None:
    engine = open_database(database_url)
    rows = _background(28)
    rows += [(SPIKE + timedelta(minutes=m), "ultimate_moment", "negative") for m in range(0, 48, 4)]
    rows += [(SPIKE + timedelta(hours=3, minutes=m), "ultimate_moment", "negative") for m in range(0, 40, 4)]
    _store(engine, rows, "c")
    config = Config(brands=[Brand(name="Acme", query="acme")], database=database_url,
                    alerts={"cooldown": "6h"}, digest={"timezone": "UTC"})
    check_alerts(engine, config, now=SPIKE + timedelta(days=3))
    [alert] = recent_alerts(engine, brand="Acme")
    assert (alert.window_start, alert.last_window_end) == (SPIKE, SPIKE + timedelta(hours=4))  # into Monday

    raised = build_digest(engine, config, "Acme", parse_week("2026-W43"))
    assert [(a["id"], a["began_before_week"]) for a in raised.alerts] == [(alert.id, False)]
    assert "1 spike alert fired on negative share-stage talk this week." in raised.highlights

    running = build_digest(engine, config, "Acme", parse_week("2026-W44"))
    assert [(a["id"], a["began_before_week"]) for a in running.alerts] == [(alert.id, True)]
    assert ("On negative share-stage talk, 1 spike alert that began before this week was still flagged in it."
            in running.highlights)
    add_charts(running)
    html, markdown = render_html(running), render_markdown(running)
    for text in (html, markdown):
        assert "No negative share-stage spike alerts this week" not in text
        assert "Began before this week, still flagged in it: " in text
        assert "Sun 25 Oct 22:00 UTC" in text
    [listed] = json.loads(render_json(running))["alerts"]
    assert (listed["id"], listed["began_before_week"]) == (alert.id, True)

    after = build_digest(engine, config, "Acme", parse_week("2026-W45"))
    assert after.alerts == []  # ended in W44: not carried further
