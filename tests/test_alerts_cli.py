"""`journeywatch alerts check` and `alerts list` on the demo data."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journeywatch.cli import app
from journeywatch.errors import ConfigError
from journeywatch.settings import DATABASE_ENV
from journeywatch.storage import open_database
from tests.alerts_demo import demo_config, load_demo

runner = CliRunner()


def demo_config_file(sqlite_url: str, folder: Path, alerts: dict[str, object],
                     extra_brands: tuple[dict[str, str], ...] = (), zone: str | None = None) -> Path:
    """The alerts demo loaded into `sqlite_url`, and a config file naming it with these `alerts:` settings
    (and `digest.timezone: zone`, when given)."""
    config = demo_config(sqlite_url)
    load_demo(open_database(sqlite_url), config)
    path = folder / "journeywatch.yaml"
    raw: dict[str, object] = {
        "database": sqlite_url,
        "brands": [b.model_dump() for b in config.brands] + list(extra_brands),
        "alerts": alerts,
    }
    if zone is not None:
        raw["digest"] = {"timezone": zone}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_check_then_list_show_the_demo_spike_once(sqlite_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "notify": ["file://out/alerts.log"]})

    first = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert "1 new alert(s)" in first.output and "Northwind Air" in first.output
    assert "2026-11-18 14:00" in first.output
    assert (tmp_path / "out" / "alerts.log").read_text(encoding="utf-8").count("journeywatch alert:") == 1

    again = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert again.exit_code == 0 and "No new alerts." in again.output
    # ...saying how far it has judged: a check a minute later judges nothing new, which "No new alerts." hid.
    assert re.search(r"No new alerts\. Windows judged up to \d{4}-\d\d-\d\d \d\d:00 UTC\.", again.output), again.output

    listed = runner.invoke(app, ["alerts", "list", "--config", str(path), "--evidence"], env={"COLUMNS": "80"})
    assert listed.exit_code == 0, listed.output
    # Readable at 80 columns: no line wider, and every figure whole on its line (a wide table
    # squeezed to 80 columns splits dates, names and counts across lines).
    lines = listed.output.splitlines()
    assert max(len(line) for line in lines if not line.lstrip().startswith("https://")) <= 80, listed.output
    # Links are printed whole, each on its own line: folded at 80 columns they opened a cut address.
    links = [line.strip() for line in lines if line.lstrip().startswith("https://")]
    assert links and all(" " not in link for link in links)
    assert any(len(link) > 80 for link in links), "the demo has a long link; it must not be folded"
    [head] = [line for line in lines if line.startswith("#1 ") and "delivered" in line]
    assert "Northwind Air" in head and "2026-11-18 14:00–" in head and "delivered 1/1" in head
    assert head.endswith("UTC  ended, delivered 1/1") or head.endswith("UTC  active, delivered 1/1")
    [figures] = [line for line in lines if " expected (" in line]
    assert " items, " in figures and "p=" in figures and "sources: " in figures
    assert "https://" in listed.output  # evidence links
    other = runner.invoke(app, ["alerts", "list", "--database", sqlite_url, "--brand", "Lumora"])
    assert other.exit_code == 0 and f"No alerts in {sqlite_url} for 'Lumora'" in other.output
    # With the config at hand a brand is matched as the digest matches it: any case, and a typo is named.
    cased = runner.invoke(app, ["alerts", "list", "--config", str(path), "--brand", "northwind air"])
    assert cased.exit_code == 0 and "#1 Northwind Air" in cased.output
    typo = runner.invoke(app, ["alerts", "list", "--config", str(path), "--brand", "Northwnd Air"])
    assert isinstance(typo.exception, ConfigError)
    assert str(typo.exception) == ("brand 'Northwnd Air' is not in the config; did you mean 'Northwind Air'? "
                                   "brands are: Northwind Air, Crateful, Lumora")


def test_list_without_a_database_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    result = runner.invoke(app, ["alerts", "list"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError)
    assert "--config or --database" in str(result.exception)
    # A URL given as --database is named as --database, not as the config key it did not come from.
    bad = runner.invoke(app, ["alerts", "list", "--database", "not-a-url"])
    assert isinstance(bad.exception, ConfigError)
    assert str(bad.exception).startswith("--database: 'not-a-url' is not a database URL"), str(bad.exception)


def test_check_says_which_brands_are_held_back_by_min_history(sqlite_url: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # A brand with too little history cannot alert; "No new alerts." alone reads as "all quiet".
    monkeypatch.chdir(tmp_path)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "min_history": "400d"},
                            extra_brands=({"name": "Quiet Co", "query": "quietco"},))
    result = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "No new alerts." in result.output
    assert "Northwind Air: no alert before 400 days of history (history since 2026-09-21" in result.output
    assert "Quiet Co: nothing stored yet" in result.output


def test_check_says_the_mail_server_refused_the_login_naming_the_target_not_the_password(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    # A wrong SMTP password read 'Connection error while submitting email' (apprise's words for any
    # failure) and was retried as if the network were down.
    import logging

    from journeywatch.alerts import recent_alerts
    from tests.servers.smtp import SMTPServer

    caplog.set_level(logging.DEBUG)
    monkeypatch.chdir(tmp_path)
    password = "Wrong-Pa55-xyz"
    monkeypatch.setenv("JW_TEST_SMTP_PASSWORD", password)
    server = SMTPServer(credentials=("brand", "the-right-one")).start()
    try:
        path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "retries": 2, "notify": [
            f"mailto://brand:${{JW_TEST_SMTP_PASSWORD}}@{server.host}:{server.port}"
            "?from=alerts@journeywatch.example&to=manager@brand.example&mode=insecure"]})
        result = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "300"})
    finally:
        server.stop()
    assert result.exit_code == 2, result.output  # a failed delivery is an exit status a cron job sees
    [line] = [line for line in result.output.splitlines() if line.startswith("not delivered to ")]
    assert line.startswith(f"not delivered to mailto://****@{server.host}:{server.port}")  # named, redacted
    assert ": authentication failed: the mail server refused the user name or password (535 " in line
    assert server.messages == [] and server.logins == []
    [alert] = recent_alerts(open_database(sqlite_url))
    [delivery] = alert.deliveries
    assert delivery["ok"] is False and delivery["permanent"] is True and delivery["attempts"] == 1  # not retried
    assert delivery["error"].startswith("authentication failed")
    assert password not in result.output and password not in caplog.text and password not in repr(alert.deliveries)


def test_check_tells_a_failed_ended_notice_from_a_failed_alert(sqlite_url: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo spike is over by the time it is judged, so with notify_ended both notices go out at once;
    # a dead target printed two identical 'not delivered to' lines that did not say which was which.
    monkeypatch.chdir(tmp_path)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "retries": 0, "notify_ended": True,
                                                   "notify": ["json://127.0.0.1:1/hook"]})
    result = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    failed = [line for line in result.output.splitlines() if "not delivered to json://127.0.0.1:1/hook" in line]
    assert [line.split(" to ")[0] for line in failed] == ["not delivered", "ended notice not delivered"], failed


def test_an_alert_with_nowhere_to_go_does_not_read_as_a_failed_delivery(sqlite_url: str, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # With no alerts.notify the list said "not delivered", which reads as a delivery that failed.
    monkeypatch.chdir(tmp_path)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"})
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 0
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "120"})
    [head] = [line for line in listed.output.splitlines() if line.startswith("#1 ")]
    assert head.endswith(", no notify targets") and "not delivered" not in listed.output, listed.output


def test_list_by_database_matches_a_brand_in_any_case_and_says_what_it_searched(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without a config, `--brand "northwind air"` said "No alerts yet." beside a stored Northwind Air alert.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h"})
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 0
    wide = {"COLUMNS": "200"}

    cased = runner.invoke(app, ["alerts", "list", "--database", sqlite_url, "--brand", "NORTHWIND air"], env=wide)
    assert cased.exit_code == 0 and "#1 Northwind Air" in cased.output, cased.output

    other = runner.invoke(app, ["alerts", "list", "--database", sqlite_url, "--brand", "lumora"], env=wide)
    assert other.exit_code == 0
    assert other.output.strip() == (f"No alerts in {sqlite_url} for 'lumora'; "
                                    "brands with alerts there: Northwind Air (1).")
    by_config = runner.invoke(app, ["alerts", "list", "--config", str(path), "--brand", "lumora"], env=wide)
    assert f"for 'Lumora'; brands with alerts there: Northwind Air (1)." in by_config.output

    recent = runner.invoke(app, ["alerts", "list", "--database", sqlite_url, "--since", "2026-11-18"], env=wide)
    assert "#1 Northwind Air" in recent.output
    later = runner.invoke(app, ["alerts", "list", "--database", sqlite_url, "--since", "2026-11-18T15:00"], env=wide)
    assert later.output.strip() == (f"No alerts in {sqlite_url} since 2026-11-18 15:00 UTC; "
                                    "brands with alerts there: Northwind Air (1).")
    bad = runner.invoke(app, ["alerts", "list", "--database", sqlite_url, "--since", "yesterday"])
    assert bad.exit_code == 2


def test_list_as_json(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "notify": ["file://out/alerts.log"]})
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 0
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path), "--json"])
    assert listed.exit_code == 0, listed.output
    [alert] = json.loads(listed.output)
    assert alert["brand"] == "Northwind Air" and alert["window_start"] == "2026-11-18T14:00:00+00:00"
    assert alert["top_items"][0]["url"].startswith("https://") and alert["deliveries"][0]["ok"] is True
    none = runner.invoke(app, ["alerts", "list", "--config", str(path), "--json", "--brand", "Lumora"])
    assert json.loads(none.output) == []


def test_check_on_a_sqlite_file_that_is_not_there_names_it_and_makes_none(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # It made an empty database at the (mistyped) path and said "nothing stored yet" for every brand.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    path = tmp_path / "journeywatch.yaml"
    path.write_text("database: sqlite:///data/jw.db\nbrands: [{name: Acme, query: acme}]\n", encoding="utf-8")
    result = runner.invoke(app, ["alerts", "check", "--config", str(path)])
    assert isinstance(result.exception, ConfigError)
    assert str(result.exception).startswith(f"config key 'database': no database at {tmp_path / 'data' / 'jw.db'}")
    assert not (tmp_path / "data").exists()


def test_reading_commands_leave_another_programs_sqlite_database_as_it_is(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Opening migrates: `alerts list --database` on Prefect's own prefect.db (say) added journeywatch's tables to it.
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    other = tmp_path / "prefect.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE flow_run (id TEXT)")
    connection.close()
    for args in (["alerts", "list", "--database", f"sqlite:///{other}"], ["reclassify", "--database", f"sqlite:///{other}"]):
        result = runner.invoke(app, args)
        assert isinstance(result.exception, ConfigError), args
        assert str(result.exception) == (f"--database: {other} is not a journeywatch database (it holds flow_run "
                                         "but no 'mentions'); it is left as it is")
    with sqlite3.connect(other) as connection:
        assert [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["flow_run"]
    connection.close()


def test_list_says_where_an_alert_was_not_delivered_and_why(sqlite_url: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # "delivered 0/1" said nothing of the target or the reason; only `alerts check` had printed them, once.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").mkdir()
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "retries": 0, "notify": ["file://taken"]})
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 2
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "400"})
    assert listed.exit_code == 0
    assert f"    ✗ not delivered to file://{tmp_path / 'taken'}: cannot write {tmp_path / 'taken'}: Is a directory" \
        in listed.output.splitlines(), listed.output


def test_list_refuses_a_database_in_memory_and_a_limit_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    # `--database sqlite://` opened an empty database in memory and said "No alerts in sqlite://.";
    # `--limit 0` answered in pydantic's words ("Input should be greater than or equal to 1").
    monkeypatch.delenv(DATABASE_ENV, raising=False)
    memory = runner.invoke(app, ["alerts", "list", "--database", "sqlite://"])
    assert isinstance(memory.exception, ConfigError)
    assert str(memory.exception).startswith("--database: 'sqlite://' names no file: that is a database in memory")
    limit = runner.invoke(app, ["alerts", "list", "--database", "sqlite:///x.db", "--limit", "0"],
                          env={"COLUMNS": "200"})
    assert limit.exit_code == 2 and "'--limit': must be from 1 to 1000, not 0" in limit.output, limit.output


def test_check_by_hand_says_when_the_monitor_does_not_check(sqlite_url: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = demo_config_file(sqlite_url, tmp_path, {"enabled": False})
    result = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "1 new alert(s)" in result.output
    assert result.output.startswith("! alerts: alerts.enabled is false: `journeywatch run` does not check; "
                                    "this check by hand does"), result.output


def test_a_target_that_was_down_gets_the_alert_at_the_next_check_and_list_counts_it_once(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The failed delivery was recorded and never sent again: once the target was mended, the alert never came.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").mkdir()
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "retries": 0, "notify": ["file://taken"]})
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 2
    (tmp_path / "taken").rmdir()  # the target is back
    again = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert again.exit_code == 0, again.output
    assert f"! alerts: Northwind Air: alert #1 (window from 2026-11-18 14:00 UTC) sent to file://{tmp_path / 'taken'}" \
        in again.output and "No new alerts." in again.output
    third = runner.invoke(app, ["alerts", "check", "--config", str(path)], env={"COLUMNS": "200"})
    assert third.exit_code == 0 and "sent to" not in third.output
    sent = (tmp_path / "taken").read_text(encoding="utf-8")
    assert sent.count("journeywatch alert:") == 1 and "Sent late" in sent
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "200"})
    assert "delivered 1/1" in listed.output and "✗" not in listed.output, listed.output


@pytest.mark.parametrize(("since", "reason"), [
    ("1000w", "'1000w' is longer than ten years"),
    ("7days", "'7days' is not a duration; give a whole number with a unit m, h, d or w"),
])
def test_list_says_what_is_wrong_with_a_since_meant_as_a_duration(sqlite_url: str, since: str, reason: str) -> None:
    # '1000w' read "is neither a date like 2026-11-18 (UTC) nor a duration back from now like 7d", which it is.
    open_database(sqlite_url)
    done = runner.invoke(app, ["alerts", "list", "--database", sqlite_url, "--since", since], env={"COLUMNS": "300"})
    assert done.exit_code == 2
    assert reason in done.output and "or a date like 2026-11-18 (UTC)" in done.output
    assert "neither" not in done.output


def test_list_shows_a_send_a_killed_check_left_unfinished(sqlite_url: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # An alert whose check was killed mid-send holds only a claim: list said "no notify targets".
    from journeywatch.alerts.state import change_deliveries

    monkeypatch.chdir(tmp_path)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "notify": ["file://out/alerts.log"]})
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 0
    target = f"file://{tmp_path / 'out' / 'alerts.log'}"
    change_deliveries(open_database(sqlite_url), 1,
                      lambda stored: [{"kind": "alert-claim", "target": target, "at": "2026-11-23T09:30:00+00:00"}])
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "200"})
    assert "delivered 0/1" in listed.output and "no notify targets" not in listed.output, listed.output
    assert f"✗ not delivered to {target}: being sent since 2026-11-23 09:30 UTC" in listed.output


def test_list_names_where_and_when_in_the_zone_a_send_is_being_made(sqlite_url: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A claim from another machine read 'being sent since 2026-11-23 09:30 UTC' beside local times, no host named.
    from journeywatch.alerts.state import change_deliveries

    monkeypatch.chdir(tmp_path)
    path = demo_config_file(sqlite_url, tmp_path, {"window": "1h", "notify": ["file://out/alerts.log"]},
                            zone="Europe/Berlin")
    assert runner.invoke(app, ["alerts", "check", "--config", str(path)]).exit_code == 0
    target = f"file://{tmp_path / 'out' / 'alerts.log'}"
    change_deliveries(open_database(sqlite_url), 1, lambda stored: [
        {"kind": "alert-claim", "target": target, "at": "2026-11-23T09:30:00+00:00", "host": "jw-worker-2",
         "pid": 4242}])
    listed = runner.invoke(app, ["alerts", "list", "--config", str(path)], env={"COLUMNS": "200"})
    assert (f"✗ not delivered to {target}: being sent by a check on jw-worker-2 since Mon 23 Nov 10:30 CET "
            "(09:30 UTC)") in listed.output, listed.output
