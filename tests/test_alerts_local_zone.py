"""Alerts show their windows in `digest.timezone`, with UTC beside them where it differs.

Found with the demo config and `digest.timezone: Europe/Berlin`: the alert e-mail, the webhook's body,
`alerts check` and `alerts list` all said "2026-11-18 14:00–15:00 UTC" for the spike a Berlin brand manager
lived through from 15:00, and the items' times were ISO strings in UTC ("2026-11-18T14:02:00Z"); only the
digest spoke the config's zone. Stored values stay UTC; a config without a zone, or UTC, reads as before.
Real SQLite, a real apprise file target and JSON webhook on 127.0.0.1, the real commands.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeywatch.alerts.alert import window_text
from journeywatch.alerts.message import alert_html, ended_html, late_note_html
from journeywatch.alerts.resend import Resent
from journeywatch.cli import app
from journeywatch.settings import DATABASE_ENV
from tests.servers.webhook import WebhookServer, webhook_server  # noqa: F401
from tests.test_alerts_cli import demo_config_file
from tests.test_alerts_notify import _alert

runner = CliRunner()
BERLIN = "Wed 18 Nov 15:00–16:00 CET (14:00–15:00 UTC)"  # the demo's spike, 14:00–15:00 UTC


def test_check_sends_and_lists_the_spike_in_the_config_zone_with_utc_beside(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        webhook_server: WebhookServer) -> None:  # noqa: F811
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    hook = f"json://127.0.0.1:{webhook_server.port}/hook"
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "notify": ["file://out/alerts.log", hook]},
                            zone="Europe/Berlin")

    checked = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert checked.exit_code == 0, checked.output
    assert f"#1 Northwind Air  {BERLIN}  " in checked.output, checked.output
    mailed = (tmp_path / "out" / "alerts.log").read_text(encoding="utf-8")
    [posted] = webhook_server.wait_for(1)
    for body in (mailed, posted.json["message"]):
        assert f"(this window, {BERLIN})" in body, body
        assert "(social, Wed 18 Nov 15:02 CET)" in body and "2026-11-18T14:02:00Z" not in body, body

    listed = runner.invoke(app, ["alerts", "list", "--config", str(path), "--evidence"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert f"#1 Northwind Air  {BERLIN}  " in listed.output, listed.output
    assert "#1 Northwind Air Wed 18 Nov 15:00 CET (14:00 UTC)" in listed.output, listed.output
    narrow = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "80"})
    lines = narrow.output.splitlines()  # the status on a line of its own, not 'delivered' cut from its count
    assert f"#1 Northwind Air  {BERLIN}" in lines and "    ended, delivered 2/2" in lines, narrow.output
    assert max(len(line) for line in lines) <= 80, narrow.output
    assert json.loads(runner.invoke(app, ["alerts", "list", "--config", str(path), "--json"]).output)[0][
        "window_start"] == "2026-11-18T14:00:00+00:00"  # stored, and given to programs, in UTC

    # --since with the config's zone is a time there, as the list shows times: flagged until 16:00 CET.
    kept = runner.invoke(app, ["alerts", "list", "--config", str(path), "--since", "2026-11-18T15:30"])
    assert "#1 Northwind Air" in kept.output, kept.output
    gone = runner.invoke(app, ["alerts", "list", "--config", str(path), "--since", "2026-11-18T16:00"],
                         env={"COLUMNS": "300"})
    assert "No alerts in" in gone.output and "since Wed 18 Nov 16:00 CET (15:00 UTC)" in gone.output, gone.output
    utc = runner.invoke(app, ["alerts", "list", "--config", str(path), "--since", "2026-11-18T15:30Z"])
    assert "No alerts in" in utc.output, utc.output  # an offset written is kept: 15:30 UTC is after the spike
    helped = runner.invoke(app, ["alerts", "list", "--help"], env={"COLUMNS": "300"})
    assert "digest.timezone" in helped.output, helped.output


def test_a_config_in_utc_reads_as_one_without_a_zone(sqlite_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "notify": ["file://out/alerts.log"]}, zone="UTC")
    checked = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert "#1 Northwind Air  2026-11-18 14:00–15:00 UTC  " in checked.output, checked.output
    mailed = (tmp_path / "out" / "alerts.log").read_text(encoding="utf-8")
    assert "(this window, 2026-11-18 14:00–15:00 UTC)" in mailed and "(social, 2026-11-18T14:02:00Z)" in mailed
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path), "--evidence", "--since", "2026-11-18"],
                           env={"COLUMNS": "200"})
    assert "#1 Northwind Air 2026-11-18 14:00 UTC" in listed.output, listed.output


@pytest.mark.parametrize(("zone", "shown"), [
    # The UTC day differs from the local one: it is named, "(14:00–15:00 UTC)" read as the local Thursday's.
    ("Australia/Sydney", "Thu 19 Nov 01:00–02:00 AEDT (Wed 18 Nov 14:00–15:00 UTC)"),
    # No letters for the zone: its offset, as the digest shows it.
    ("Atlantic/Azores", "Wed 18 Nov 13:00–14:00 -01 (14:00–15:00 UTC)"),
    # At UTC's own offset there is nothing to tell apart.
    ("Europe/London", "Wed 18 Nov 14:00–15:00 GMT"),
    ("Etc/UTC", "2026-11-18 14:00–15:00 UTC"),
])
def test_a_window_in_zones_ahead_behind_and_at_utc(zone: str, shown: str) -> None:
    start, end = datetime(2026, 11, 18, 14, tzinfo=timezone.utc), datetime(2026, 11, 18, 15, tzinfo=timezone.utc)
    assert window_text(start, end, zone) == shown


def test_a_window_past_local_midnight_and_across_a_clock_change_names_both_ends() -> None:
    late = datetime(2026, 11, 22, 22, 30, tzinfo=timezone.utc)
    assert window_text(late, late.replace(hour=23), "Europe/Berlin") == (
        "Sun 22 Nov 23:30–Mon 23 Nov 00:30 CET (22:30–23:30 UTC)")
    # A day window over the October clock change (days start at midnight winter time all year: 01:00 CEST).
    start, end = datetime(2026, 10, 24, 23, tzinfo=timezone.utc), datetime(2026, 10, 25, 23, tzinfo=timezone.utc)
    assert window_text(start, end, "Europe/Berlin") == (
        "Sun 25 Oct 01:00 CEST–Mon 26 Oct 00:00 CET (Sat 24 Oct 23:00–Sun 25 Oct 23:00 UTC)")


def test_the_ended_notice_a_late_send_and_the_resend_note_speak_the_zone() -> None:
    alert = _alert()
    alert.last_window_end = alert.window_end.replace(hour=17)
    assert ("began at Wed 18 Nov 15:00 CET (14:00 UTC) subsided after Wed 18 Nov 18:00 CET (17:00 UTC)"
            in ended_html(alert, "Europe/Berlin"))
    assert "began at 2026-11-18 14:00 UTC subsided after 2026-11-18 17:00 UTC" in ended_html(alert)
    assert "at Wed 18 Nov 15:05 CET (14:05 UTC), failed" in late_note_html("2026-11-18T14:05:00+00:00",
                                                                           "Europe/Berlin")
    assert "(social, Wed 18 Nov 15:02 CET)" in alert_html(alert, "Europe/Berlin")
    sent = Resent(1, "Northwind Air", "alert", "json://127.0.0.1/hook", True, None)
    assert "(window from Wed 18 Nov 15:00 CET (14:00 UTC))" in sent.note(alert, "Europe/Berlin")
    assert "(window from 2026-11-18 14:00 UTC)" in sent.note(alert)


def test_a_span_over_the_clock_change_names_each_ends_zone(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found in America/Los_Angeles, the night the clocks went back (Sun 1 Nov 2026, 02:00 PDT -> 01:00 PST): a
    # spike from 08:00 UTC flagged for a second hour was listed "26 items over 01:00–02:00, 16 of them in
    # 01:00–01:00": two hours that read as one, and an hour that read as none.
    from tests.test_fix2_alerts_span_count import _check, _complaints

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"}, zone="America/Los_Angeles")
    first = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)  # 01:00 PDT
    _complaints(first, 16, "pdt")
    _check(path, datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc))
    _complaints(datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc), 10, "pst")  # 01:00 PST, the hour again
    _check(path, datetime(2026, 11, 1, 10, 0, tzinfo=timezone.utc))

    listed = runner.invoke(app, ["alerts", "list", "--config", str(path), "--since", "2026-11-01"],
                           env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "Sun 1 Nov 01:00 PDT–02:00 PST (08:00–10:00 UTC)" in listed.output, listed.output
    assert "26 items over 01:00 PDT–02:00 PST, 12 of them in 01:00 PDT–01:00 PST (the window that raised it)" \
        in listed.output, listed.output

    out = tmp_path / "digests"  # the digest lists the spike by the same hours
    result = runner.invoke(app, ["digest", "--config", str(path), "--brand", "Northwind Air", "--week", "2026-W44",
                                 "--out", str(out), "--no-send"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "26 negative share-stage items over 01:00 PDT–02:00 PST, 12 of them in 01:00 PDT–01:00 PST" in md, \
        md.split("## Alerts fired")[1][:600]
