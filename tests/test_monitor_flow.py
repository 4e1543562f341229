"""The monitor flow end to end under a real Prefect harness: files and feeds in, classified rows out.

A dead source and a bad source entry are reported while the others are
collected; a second run adds nothing.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from journeywatch.errors import JourneywatchError
from journeywatch.flows.monitor import monitor_flow
from journeywatch.flows.steps import SourceOutcome
from journeywatch.storage import open_database
from journeywatch.storage.tables import classifications, mention_brands, mentions, source_runs, watermarks

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
POSTS = [
    ("Acme Air lost my bag again, third time this year. Support just hangs up.", "acme"),
    ("PSA: never book Acme Air, they cancelled and refused a refund. Avoid!!", "acme"),
    ("Is acmeair worth it over the budget carriers for a 3h flight?", "acme"),
    ("Just booked Acme Air to Lisbon, checkout was painless", "acme"),
    ("Globex phone arrived today, unboxing now 😍", "globex"),
    ("globex support fixed my screen in 10 minutes, impressed", "globex"),
    ("Weather is lovely today", None),  # matches no brand: must not be stored
]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><guid>g{i}</guid><title>review {i}</title><link>https://example.org/r/{i}</link>"
        f"<pubDate>{(T0 + timedelta(hours=i)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<description>&lt;p&gt;{text}&lt;/p&gt;</description></item>"
        for i, (text, _) in enumerate(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'


@pytest.fixture
def config_path(tmp_path: Path, sqlite_url: str) -> Path:
    export = tmp_path / "export.jsonl"
    export.write_text(
        "\n".join(json.dumps({"id": f"e{i}", "text": text, "created_at": (T0 + timedelta(days=i)).isoformat()})
                  for i, (text, _) in enumerate(POSTS)) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "reviews.xml").write_text(_rss(POSTS[:3]), encoding="utf-8")
    path = tmp_path / "journeywatch.yaml"
    path.write_text(f"""
database: {sqlite_url}
brands:
  - {{name: Acme Air, query: '"acme air" OR acmeair'}}
  - {{name: Globex, query: globex}}
sources:
  - {{name: export, kind: file, path: export.jsonl}}
  - {{name: reviews, kind: feed, url: "file://reviews.xml", source_kind: review}}
  - {{name: dead, kind: feed, url: "http://127.0.0.1:{_closed_port()}/feed.xml", timeout: 2, retries: 0}}
  - {{name: typo, kind: feed, urll: "http://example.org"}}
alerts: {{enabled: false}}
""", encoding="utf-8")
    return path


def _count(engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_monitor_collects_classifies_and_reports_failures(prefect_harness: None, config_path: Path, sqlite_url: str) -> None:
    summary = monitor_flow(str(config_path))
    engine = open_database(sqlite_url)

    by_source = {s["source"]: s for s in summary["sources"]}
    assert by_source["export"]["status"] == "ok" and by_source["export"]["new"] == 6
    assert by_source["export"]["unmatched"] == 1
    assert by_source["reviews"]["status"] == "ok" and by_source["reviews"]["new"] == 3
    assert by_source["dead"]["status"] == "failed" and by_source["dead"]["error"]
    assert "dead" not in by_source["dead"]["error"]  # the summary names the source once, not twice
    assert by_source["typo"]["status"] == "failed" and "sources[3].urll" in by_source["typo"]["error"]

    assert _count(engine, mentions) == 9
    assert _count(engine, classifications) == 9  # everything stored got a moment and a sentiment
    assert summary["brands"]["Acme Air"]["new"] == 7 and summary["brands"]["Globex"]["new"] == 2
    assert sum(n for _, _, n in summary["brands"]["Acme Air"]["counts"]) == 7
    with engine.connect() as connection:
        failed = connection.execute(select(source_runs.c.source).where(source_runs.c.status == "failed")).scalars()
        assert sorted(failed) == ["dead", "typo"]

    again = monitor_flow(str(config_path))  # watermarks: nothing is fetched again
    assert all(s["new"] == 0 for s in again["sources"])
    assert again["brands"]["Acme Air"]["counts"] == summary["brands"]["Acme Air"]["counts"]
    assert again["classification"]["classified"] == 0

    with engine.begin() as connection:  # forget every watermark: all is fetched again, nothing is added
        connection.execute(delete(watermarks))
    refetched = monitor_flow(str(config_path))
    assert _count(engine, mentions) == 9 and _count(engine, mention_brands) == 9
    assert {s["source"]: s["seen"] for s in refetched["sources"] if s["status"] == "ok"} == {"export": 6, "reviews": 3}
    assert refetched["brands"]["Acme Air"]["new"] == 0 and refetched["brands"]["Acme Air"]["seen"] == 7


def test_run_says_when_nothing_was_read_and_what_the_alerts_did(prefect_harness: None, tmp_path: Path,
                                                               sqlite_url: str) -> None:
    from typer.testing import CliRunner

    from journeywatch.cli import app

    path = tmp_path / "journeywatch.yaml"  # what `journeywatch init` gives: every source disabled
    path.write_text(f"""
database: {sqlite_url}
brands: [{{name: Acme Air, query: acme}}]
sources:
  - {{name: export, kind: file, path: export.jsonl, enabled: false}}
alerts: {{enabled: false}}
""", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Acme Air: 0 new, 0 already seen; nothing stored for it yet" in result.output
    assert "No source was read: every source is disabled" in result.output
    assert "Sources" not in result.output and "unmatched" not in result.output  # no empty table
    assert "Alerts are off (alerts.enabled: false)." in result.output


def test_the_monitor_summary_says_where_alerts_went_and_where_not(sqlite_url: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from journeywatch.flows.monitor import alerts_task
    from tests.alerts_demo import demo_config, load_demo

    monkeypatch.delenv("JW_TEST_HOOK_TOKEN", raising=False)
    port = _closed_port()
    log = tmp_path / "alerts.log"
    config = demo_config(sqlite_url, [f"json://jw:${{JW_TEST_HOOK_TOKEN}}@127.0.0.1:{port}/hook", f"file://{log}"])
    load_demo(open_database(sqlite_url), config)
    result = alerts_task.fn(config)
    assert len(result["fired"]) == 1
    assert "items in Wed 18 Nov 14:00–15:00 GMT, " in result["fired"][0]  # the demo's Europe/London
    assert result["delivered"] == [f"file://{log}"] and log.is_file()
    assert result["undelivered"] == [
        f"json://****@127.0.0.1:{port}/hook: environment variable JW_TEST_HOOK_TOKEN is not set"]
    # The fired alert and the failed target are the task's own log lines (a worker's run shows them in
    # Prefect's logs); the alerts package logs them quietly, since `run` prints them in its summary.
    flow_lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "journeywatch.flows"]
    assert [level for level, _ in flow_lines] == ["WARNING", "ERROR"], flow_lines
    assert flow_lines[0][1].startswith("ALERT Northwind Air: ")
    assert flow_lines[1][1] == f"alert not delivered to {result['undelivered'][0]}"
    assert not [r for r in caplog.records if r.name == "journeywatch.alerts" and r.levelno >= logging.WARNING]
    # The next check sends it again and fails again: still undelivered, so `run --strict` exits 2 for it.
    again = alerts_task.fn(config)
    assert again["fired"] == [] and len(again["undelivered"]) == 1
    assert again["undelivered"][0].startswith(f"{result['undelivered'][0]} (alert #")


def test_run_prints_why_no_alert_could_fire(prefect_harness: None, config_path: Path, tmp_path: Path,
                                            sqlite_url: str) -> None:
    # `alerts check` named brands held back by min_history; `run` said only "No new alerts.",
    # which reads as "all quiet" when no alert could fire at all.
    from typer.testing import CliRunner

    from journeywatch.cli import app

    path = tmp_path / "held.yaml"
    path.write_text(f"""
database: {sqlite_url}
brands:
  - {{name: Acme Air, query: '"acme air" OR acmeair'}}
  - {{name: Quiet Co, query: quietco}}
sources:
  - {{name: export, kind: file, path: export.jsonl}}
alerts: {{min_history: 400d}}
""", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(path)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "! alerts: Acme Air: no alert before 400 days of history (history since 2026-11-02" in result.output
    assert "! alerts: Quiet Co: nothing stored yet, so no alert" in result.output
    assert "No new alerts." in result.output


def test_the_monitor_summary_carries_the_late_item_warning(prefect_harness: None, sqlite_url: str) -> None:
    # Items that reached windows already judged count towards no alert; the warning went only to
    # the log, so `run` (and its --json summary) never said so.
    from prefect import flow

    from journeywatch.alerts import check_alerts
    from journeywatch.flows.monitor import alerts_task
    from journeywatch.settings import Brand, Config
    from tests.test_alerts_check import _store

    engine = open_database(sqlite_url)
    now = datetime.now(timezone.utc)
    config = Config(brands=[Brand(name="Acme", query="acme")], database=sqlite_url)
    _store(engine, [(now - timedelta(days=9, hours=-h), "ultimate_moment", "negative") for h in range(0, 9 * 24, 9)],
           "h")
    assert check_alerts(engine, config, now=now - timedelta(hours=1)) == []  # judged an hour ago...
    late = now - timedelta(hours=3)  # ...so these, and the items above (fetched since), are late
    _store(engine, [(late + timedelta(minutes=m), "ultimate_moment", "negative") for m in range(12)], "l")
    result = flow(name="alerts-only")(lambda: alerts_task(config))()  # the task as the monitor runs it
    assert result["fired"] == [] and "error" not in result
    [note] = result["notes"]
    assert note.startswith("Acme: 36 negative share-stage items arrived after their window was judged")
    assert "alerts.settle (now 0m)" in note


def test_an_item_listed_twice_in_a_batch_is_not_already_seen(sqlite_url: str) -> None:
    # The demo's first run into an empty database said "Northwind Air: 179 new, 2 already seen": a post
    # repeated within one export was stored once but counted twice for its brand.
    from journeywatch.domain import Mention
    from journeywatch.flows.steps import collect_source
    from journeywatch.listeners.base import Batch

    post = Mention(source="export", external_id="p1", text="acme lost my bag", created_at=T0, brands=["Acme"])

    class Twice:
        name = "export"

        def fetch(self, watermark: object) -> object:
            yield Batch([post, post], watermark={"at": "x"})

    outcome = collect_source(open_database(sqlite_url), Twice(), lambda batch: batch)  # type: ignore[arg-type]
    assert (outcome.new, outcome.seen, outcome.brand_hits["Acme"]) == (1, 0, 1)


_START_RUN = """
import os, signal, sys, time
from journeywatch.storage import open_database, start_run
print(start_run(open_database(sys.argv[1]), "monitor"), flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer ends a run: no cleanup of its own
time.sleep(120)
"""


def test_a_run_killed_outright_is_recorded_as_interrupted_by_the_next(prefect_harness: None, tmp_path: Path,
                                                                     sqlite_url: str) -> None:
    """SIGKILL skips the run's own `finish_run`: its record said 'running' for good and no run ever said so."""
    import subprocess
    import sys

    from typer.testing import CliRunner

    from journeywatch.cli import app
    from journeywatch.storage.tables import runs

    killed = subprocess.run([sys.executable, "-c", _START_RUN, sqlite_url, "kill"], capture_output=True, text=True,
                            timeout=120)
    assert killed.returncode == -9
    live = subprocess.Popen([sys.executable, "-c", _START_RUN, sqlite_url, "live"], stdout=subprocess.PIPE, text=True)
    try:
        live_id = int(live.stdout.readline())  # type: ignore[union-attr]
        path = tmp_path / "journeywatch.yaml"
        path.write_text(f"database: {sqlite_url}\nbrands: [{{name: Acme, query: acme}}]\nalerts: {{enabled: false}}\n",
                        encoding="utf-8")
        result = CliRunner().invoke(app, ["run", "--config", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        killed_id = int(killed.stdout)
        assert f"! run {killed_id} (started " in result.output
        assert "never finished: its process was killed" in result.output
        assert f"! run {live_id} " not in result.output
        with open_database(sqlite_url).connect() as connection:
            status = dict(connection.execute(select(runs.c.id, runs.c.status)).all())
        # the live run (another config's, sharing the database) is left alone; this run finished
        assert status == {killed_id: "interrupted", live_id: "running", live_id + 1: "ok"}
        again = CliRunner().invoke(app, ["run", "--config", str(path)], env={"COLUMNS": "200"})
        assert "never finished" not in again.output  # said once, by the run that found it
    finally:
        live.kill()
        live.wait(timeout=30)


def test_a_brands_new_items_are_this_runs_own(sqlite_url: str, tmp_path: Path) -> None:
    """Runs storing at the same time (another config's, or this one's overlapping cron run) claimed each other's
    items: a brand's new items were the rows stored since the run started, whoever stored them."""
    from journeywatch.flows.monitor import _brand_summary
    from journeywatch.flows.steps import collect_source
    from journeywatch.listeners import BrandMatcher, build_listener, prepare_mentions
    from journeywatch.settings import parse_config

    (tmp_path / "ours.jsonl").write_text("".join(json.dumps({"id": i, "text": f"acme {i}", "created_at": T0.isoformat()})
                                                 + "\n" for i in range(4)), encoding="utf-8")
    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}],
                           "sources": [{"name": "ours", "kind": "file", "path": "ours.jsonl"}]}, tmp_path)
    engine = open_database(sqlite_url)
    matcher = BrandMatcher(config.brands)

    def collect() -> SourceOutcome:
        return collect_source(engine, build_listener(config.sources[0]),
                              lambda batch: prepare_mentions(batch, matcher, config.raw_authors))

    first = collect()  # the run that got there first
    with engine.begin() as connection:
        connection.execute(delete(watermarks))  # the overlapping run read the watermark before the first stored
    second = collect()
    assert (second.fetched, second.new, second.seen) == (4, 0, 4)
    assert _brand_summary(config, [first])["Acme"] | {"counts": []} == {"new": 4, "seen": 0, "counts": [],
                                                                         "unclassified": {"language": 0, "pending": 4}}
    assert (_brand_summary(config, [second])["Acme"]["new"], _brand_summary(config, [second])["Acme"]["seen"]) == (0, 4)


def test_a_brand_added_later_is_not_said_to_match_nothing(prefect_harness: None, tmp_path: Path,
                                                          sqlite_url: str) -> None:
    """Stored items are matched to brands once, when collected: the summary said none matched a new brand's query."""
    from typer.testing import CliRunner

    from journeywatch.cli import app

    (tmp_path / "export.jsonl").write_text(json.dumps({"id": 1, "text": "Acme Air lost my bag",
                                                       "created_at": T0.isoformat()}) + "\n", encoding="utf-8")
    path = tmp_path / "journeywatch.yaml"
    config = f"""
database: {sqlite_url}
brands: [{{name: Acme Air, query: acme}}{{more}}]
sources: [{{name: export, kind: file, path: export.jsonl}}]
alerts: {{enabled: false}}
"""
    path.write_text(config.replace("{more}", ""), encoding="utf-8")
    assert CliRunner().invoke(app, ["run", "--config", str(path)]).exit_code == 0
    path.write_text(config.replace("{more}", ", {name: Bags, query: bag}"), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "no stored item matches its query" not in result.output
    assert ("Bags: 0 new, 0 already seen; nothing stored for it yet (items are matched to brands as they are "
            "collected; those collected before it was added are not)") in result.output


def test_a_database_that_refuses_the_run_record_is_one_line(prefect_harness: None, tmp_path: Path,
                                                            sqlite_url: str) -> None:
    """A SQLite file locked past the busy timeout (a DB browser with unwritten changes) ended `run` in a traceback.

    A trigger makes SQLite itself refuse the write at once, where a real lock would take the 30 s timeout.
    """
    from sqlalchemy import text
    from typer.testing import CliRunner

    from journeywatch.cli import app

    with open_database(sqlite_url).begin() as connection:
        connection.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON runs "
                                "BEGIN SELECT RAISE(ABORT, 'database is locked'); END"))
    path = tmp_path / "journeywatch.yaml"
    path.write_text(f"database: {sqlite_url}\nbrands: [{{name: Acme, query: acme}}]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(path)])
    # a JourneywatchError is what `main` prints as one red line (exit 1); anything else came out as a traceback
    assert isinstance(result.exception, JourneywatchError), repr(result.exception)
    message = str(result.exception)
    assert "\n" not in message and "[SQL:" not in message
    assert "could not take the run's records: database is locked (another program held a write lock" in message


def test_the_brand_table_says_what_stored_mentions_it_leaves_out(prefect_harness: None, tmp_path: Path,
                                                                 sqlite_url: str) -> None:
    """'all stored mentions' counted only classified ones: three new posts, two in French and German, made a table of one."""
    from typer.testing import CliRunner

    from journeywatch.cli import app

    posts = ["Acme est vraiment nul, mon colis n'est jamais arrivé et le service client ne répond pas",
             "Acme ist schrecklich, die Lieferung kam nie an und der Kundendienst antwortet nicht",
             "Acme lost my parcel and support never answered, avoid"]
    (tmp_path / "export.jsonl").write_text("".join(
        json.dumps({"id": i, "text": text, "created_at": T0.isoformat()}) + "\n" for i, text in enumerate(posts)),
        encoding="utf-8")
    path = tmp_path / "journeywatch.yaml"
    path.write_text(f"database: {sqlite_url}\nbrands: [{{name: Acme, query: acme}}]\n"
                    "sources: [{name: export, kind: file, path: export.jsonl}]\nalerts: {enabled: false}\n",
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "--config", str(path), "--json"])
    assert result.exit_code == 0, result.output
    acme = json.loads(result.output)["brands"]["Acme"]
    assert acme["new"] == 3 and sum(n for _, _, n in acme["counts"]) == 1
    assert acme["unclassified"] == {"language": 2, "pending": 0}
    again = CliRunner().invoke(app, ["run", "--config", str(path)], env={"COLUMNS": "300"})
    assert ("all stored mentions, by moment and sentiment; not counted: 2 in a language the classifier does not read"
            in " ".join(again.output.split()))  # the caption wraps at the table's width
