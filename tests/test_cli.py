"""The CLI as a user meets it: one-line errors, init, db upgrade, and a README that documents every command."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer.main

from journeywatch.cli import app
from tests.servers.feeds import Failure, FeedServer, Route, feed_server  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "journeywatch"]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _command_paths() -> list[str]:
    root = typer.main.get_command(app)
    paths = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            paths += [f"{name} {sub}" for sub in command.commands]
        else:
            paths.append(name)
    return paths


def test_every_command_is_documented_with_an_example() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    for path in _command_paths():
        assert f"journeywatch {path}" in readme, f"README does not document `journeywatch {path}`"
        command = root
        for part in path.split():
            command = command.commands[part]  # type: ignore[attr-defined]
        assert "Example:" in (command.help or ""), f"`journeywatch {path} --help` has no example"


def _command(root: typer.core.TyperGroup, path: str) -> typer.core.TyperCommand:  # type: ignore[name-defined]
    command = root
    for part in path.split():
        command = command.commands[part]  # type: ignore[attr-defined]
    return command  # type: ignore[return-value]


def _readme_rows() -> dict[str, str]:
    """The README's commands table: command path -> the synopsis written for it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    paths = sorted(_command_paths(), key=len, reverse=True)
    rows = {}
    for synopsis in re.findall(r"^\| `journeywatch (.+?)` \|", readme, flags=re.MULTILINE):
        path = next(p for p in paths if synopsis == p or synopsis.startswith(p + " "))
        rows[path] = synopsis
    return rows


def test_readme_table_and_help_examples_agree() -> None:
    """Each `Example:` parses as a real call, and every option it uses is in the README's row for it."""
    root = typer.main.get_command(app)
    rows = _readme_rows()
    assert set(rows) == set(_command_paths())
    for path, synopsis in rows.items():
        known = {opt for param in _command(root, path).params for opt in param.opts}
        written = set(re.findall(r"--[a-z-]+", synopsis))
        assert written <= known, f"README row `journeywatch {synopsis}` names unknown options {written - known}"
    for path in _command_paths():
        example = (_command(root, path).help or "").split("Example:", 1)[1].splitlines()[0]
        for call in example.split("&&"):
            words = shlex.split(call)
            assert words[0] == "journeywatch", example
            called = next(p for p in rows if words[1:1 + len(p.split())] == p.split())
            args = words[1 + len(called.split()):]
            used = {a.split("=")[0] for a in args if a.startswith("--")}
            _command(root, called).make_context(called, list(args))  # raises on unknown or missing options
            assert used <= set(re.findall(r"--[a-z-]+", rows[called])), (
                f"`{example.strip()}` uses {used} but the README row is `journeywatch {rows[called]}`")


def test_errors_are_one_red_line_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("brands:\n  - name: Acme\nsources: []\n", encoding="utf-8")
    result = _run("run", "--config", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: config key 'brands[0].query': required key is missing"
    assert "Traceback" not in result.stdout + result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = _run("--debug", "run", "--config", "missing.yaml", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "ConfigError" in result.stderr


def test_init_writes_a_config_that_db_upgrade_accepts(tmp_path: Path) -> None:
    assert _run("init", cwd=tmp_path).returncode == 0
    again = _run("init", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr
    upgraded = _run("db", "upgrade", "--config", "journeywatch.yaml", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "journeywatch.db").is_file()


def test_database_overrides_a_config_whose_database_needs_an_unset_variable(tmp_path: Path) -> None:
    """`--database` names the database: the config's `${PGPASSWORD}` need not be set (it failed as unset)."""
    (tmp_path / "jw.yaml").write_text("database: postgresql://jw:${JW_TEST_UNSET_PASSWORD}@db.invalid/jw\n"
                                      "brands: [{name: Acme, query: acme}]\n", encoding="utf-8")
    upgraded = _run("db", "upgrade", "--config", "jw.yaml", "--database", "sqlite:///jw.db", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "jw.db").is_file()
    alone = _run("db", "upgrade", "--config", "jw.yaml", cwd=tmp_path)
    assert alone.returncode == 1 and "JW_TEST_UNSET_PASSWORD is not set" in alone.stderr


@pytest.mark.postgres
def test_db_upgrade_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    result = _run("db", "upgrade", "--database", postgres_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    again = _run("db", "upgrade", "--database", postgres_url, cwd=tmp_path)
    assert "is up to date (schema revision 0004)" in again.stdout


def test_a_bad_brand_query_stops_the_run_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text(
        "brands:\n  - {name: Acme, query: '(acme OR acmeair'}\nsources: []\n", encoding="utf-8"
    )
    result = _run("run", "--config", "q.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: config key 'brands[0].query' (Acme):")
    assert "position" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["digest", "--no-send"], ["alerts", "check"], ["reclassify"]])
def test_a_bad_brand_query_is_a_config_error_for_commands_that_read_no_source(tmp_path: Path,
                                                                             command: list[str]) -> None:
    """The config loader compiles every query: only `run` did, so `digest` went on to say the database was
    not there yet, and a config no run could read passed every other command."""
    (tmp_path / "q.yaml").write_text("brands:\n  - {name: Acme, query: acme}\n"
                                     "  - {name: Globex, query: 'globex AND (x'}\nsources: []\n", encoding="utf-8")
    result = _run(*command, "--config", "q.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: config key 'brands[1].query' (Globex): unbalanced parenthesis '(' "
                                     "never closed at position 11")
    assert not (tmp_path / "journeywatch.db").exists()


def test_the_config_loader_imports_neither_listeners_nor_prefect() -> None:
    """Settings sit below the listeners and flows (which import them): compiling queries pulls in neither."""
    code = ("import sys, journeywatch.settings; "
            "print(sorted({m.split('.')[0] if m.startswith('prefect') else m for m in sys.modules "
            "if m.startswith(('prefect', 'journeywatch.listeners', 'journeywatch.flows'))}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_a_database_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "db.yaml").write_text("database: mysql://nobody@127.0.0.1/x\nbrands: [{name: A, query: a}]\n",
                                      encoding="utf-8")
    result = _run("run", "--config", "db.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: config key 'database': cannot open mysql://nobody@127.0.0.1/x")
    assert result.stderr.rstrip().endswith(  # the driver's complaint alone did not say what to write instead
        "; journeywatch stores in SQLite (sqlite:///journeywatch.db) or PostgreSQL (postgresql://user@host:5432/db)")
    assert "Traceback" not in result.stderr


def test_a_directory_as_config_says_so(tmp_path: Path) -> None:
    result = _run("run", "--config", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: config '{tmp_path}' is a directory, not a file")
    assert "not found" not in result.stderr and "Traceback" not in result.stderr


def test_init_makes_its_folder_and_a_path_blocked_by_a_file_is_one_line(tmp_path: Path) -> None:
    made = _run("init", "configs/acme.yaml", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "configs" / "acme.yaml").is_file()
    (tmp_path / "taken").write_text("", encoding="utf-8")
    blocked = _run("init", "taken/acme.yaml", cwd=tmp_path)
    assert blocked.returncode == 1
    assert blocked.stderr.strip() == "Error: taken: a file is in the way where a folder is needed; give another path"


def test_db_upgrade_that_cannot_connect_is_one_line_naming_the_url(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _run("db", "upgrade", "--database", f"postgresql://jw:secret@127.0.0.1:{port}/jw", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: --database: cannot open postgresql+psycopg://jw:***@127.0.0.1:{port}/jw")
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


def test_usage_errors_are_one_line_naming_the_option_and_the_help(tmp_path: Path) -> None:
    missing = _run("run", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "Error: Missing option '--config' / '-c'. (see `journeywatch run --help`)"
    typo = _run("runn", cwd=tmp_path)
    assert typo.returncode == 2 and typo.stderr.count("\n") == 1 and "Did you mean 'run'?" in typo.stderr
    assert _run("--help", cwd=tmp_path).returncode == 0


@pytest.mark.postgres
def test_a_database_where_tables_cannot_be_made_is_one_line(postgres_url: str, tmp_path: Path) -> None:
    url = postgres_url.split("?")[0] + "?options=-csearch_path%3Dno_such_schema"  # nowhere to create tables
    (tmp_path / "pg.yaml").write_text("brands: [{name: A, query: a}]\n", encoding="utf-8")
    result = subprocess.run([*CLI, "alerts", "check", "--config", "pg.yaml"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "JOURNEYWATCH_DATABASE_URL": url})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: JOURNEYWATCH_DATABASE_URL: cannot open postgresql")
    assert "no schema has been selected" in result.stderr and "Traceback" not in result.stderr


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (the temporary Prefect server a run starts), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def run_reading_a_slow_feed(tmp_path: Path, feed_server: FeedServer, **popen: Any) -> subprocess.Popen[str]:
    """`journeywatch run` (config t.yaml, database t.db in `tmp_path`) started and busy reading a feed that
    answers after ten seconds: a run to interrupt mid-read."""
    feed_server.routes["/slow"] = Route(b"", failures=[Failure(200, delay=10)])
    (tmp_path / "t.yaml").write_text(
        "database: sqlite:///t.db\nbrands: [{name: A, query: acme}]\n"
        f"sources: [{{name: slow, kind: feed, url: '{feed_server.url('/slow')}', timeout: 90}}]\n", encoding="utf-8")
    run = subprocess.Popen([*CLI, "run", "--config", "t.yaml"], cwd=tmp_path, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, **popen)
    deadline = time.monotonic() + 180
    while not feed_server.hits("/slow") and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
    if not feed_server.hits("/slow"):
        run.kill()
        pytest.fail("the run never reached the feed")
    return run


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
@pytest.mark.parametrize(("sent", "status", "said"), [
    (signal.SIGTERM, 143, "Interrupted. What was stored is kept"),
    (signal.SIGINT, 130, "interrupted; what was stored so far is kept"),  # Ctrl-C: typer's silent 130 had no word
])
def test_a_signal_ends_a_run_saying_what_was_kept_and_stops_its_prefect_server(
    tmp_path: Path, feed_server: FeedServer, sent: signal.Signals, status: int, said: str,
) -> None:
    """A cron `timeout` or a `kill` left the temporary Prefect server running for good, and no word on what was kept."""
    run = run_reading_a_slow_feed(tmp_path, feed_server)
    try:
        servers = _children(run.pid)
        run.send_signal(sent)
        out, err = run.communicate(timeout=90)  # the read in flight ends first: threads cannot be interrupted
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == status, err
    assert said in " ".join((out + err).split()) and "Traceback" not in out + err
    assert servers and all(_gone(pid, within=15) for pid in servers)
    with sqlite3.connect(tmp_path / "t.db") as connection:
        assert connection.execute("SELECT status FROM runs").fetchall() == [("interrupted",)]


def test_run_shows_each_warning_once_in_its_summary(tmp_path: Path) -> None:
    """A source's warnings and the alert check's notes were printed twice: as Prefect log lines mid-run
    and again in the summary. The summary is the one place; Prefect's run logs keep them for its API."""
    rows = [json.dumps({"id": f"r{i}", "text": f"acme post {i}", "created_at": f"2026-11-0{i + 1}T10:00:00Z"})
            for i in range(3)]
    (tmp_path / "export.jsonl").write_text("\n".join(rows[:2] + ["{not json"] + rows[2:]) + "\n", encoding="utf-8")
    (tmp_path / "w.yaml").write_text(
        "database: sqlite:///w.db\nbrands: [{name: Acme, query: acme}]\n"
        "sources: [{name: export, kind: file, path: export.jsonl}]\nalerts: {min_history: 400d}\n", encoding="utf-8")
    result = subprocess.run([*CLI, "run", "--config", "w.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "COLUMNS": "250"})
    assert result.returncode == 0, result.stderr
    shown = result.stdout + result.stderr
    assert shown.count("line 3: not valid JSON") == 1, shown
    assert "! export: line 3: not valid JSON" in result.stdout
    assert shown.count("Acme: no alert before 400 days of history") == 1, shown
    assert "Task run" not in result.stderr and "Traceback" not in shown


def test_the_summary_counts_the_warnings_it_does_not_show(capsys: pytest.CaptureFixture[str]) -> None:
    """The summary shows five warnings a source; the run log no longer prints the rest, so it says how many."""
    from journeywatch.cli.core import print_summary

    source = {"source": "export", "status": "ok", "fetched": 40, "new": 10, "seen": 0, "skipped": 30, "unmatched": 0,
              "error": None, "warnings": [f"line {n}: not valid JSON" for n in range(5)], "more_warnings": 25}
    print_summary({"brands": {}, "sources": [source], "classification": {"classified": 10},
                   "alerts": {"fired": [], "notes": []}})
    out = " ".join(capsys.readouterr().out.split())
    assert "! export: line 4: not valid JSON" in out
    assert "! export: and 25 more warning(s) like these" in out


def test_the_summary_prints_names_as_written_not_as_emoji(capsys: pytest.CaptureFixture[str]) -> None:
    """A reddit listing 'new:Coffee' before ': 1 deleted ...' was shown as 'new☕ 1 deleted': rich read ':Coffee:'."""
    from journeywatch.cli.core import print_summary

    source = {"source": "rd", "status": "ok", "fetched": 3, "new": 2, "seen": 0, "skipped": 1, "unmatched": 0,
              "error": "r/smile: the listing new:smile: answered 403", "warnings": [
                  "new:Coffee: 1 deleted, removed or undated items not stored"]}
    print_summary({"brands": {"Acme :fire:": {"new": 2, "seen": 0, "counts": [("none", "neutral", 2)]}},
                   "sources": [source], "classification": {"classified": 2}, "alerts": {"fired": [], "notes": []}})
    out = " ".join(capsys.readouterr().out.split())
    assert "! rd: new:Coffee: 1 deleted" in out and "new:smile: answered" in out and "Acme :fire:" in out, out
    from journeywatch.cli.alerts import print_alert_notes

    print_alert_notes(["Acme :fire:: nothing stored yet, so no alert"])
    assert "Acme :fire:: nothing stored" in capsys.readouterr().out


def test_strict_run_exits_2_when_an_alert_was_not_delivered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`alerts check` exits 2 when a delivery failed; `run --strict` exited 0 with every target down."""
    from typer.testing import CliRunner

    import journeywatch.flows.monitor as monitor

    (tmp_path / "s.yaml").write_text(f"database: sqlite:///{tmp_path / 's.db'}\nbrands: [{{name: A, query: a}}]\n",
                                     encoding="utf-8")
    alerts = {"fired": ["A: 9 negative share-stage items ..."], "delivered": [], "notes": [],
              "undelivered": ["json://127.0.0.1:9/hook: connection refused by 127.0.0.1:9"]}
    summary = {"brands": {}, "sources": [], "classification": {"classified": 0}, "alerts": alerts}
    monkeypatch.setattr(monitor, "monitor_flow", lambda path: summary)
    strict = CliRunner().invoke(app, ["run", "--config", str(tmp_path / "s.yaml"), "--strict"])
    assert strict.exit_code == 2, strict.output
    assert "alert not delivered to json://127.0.0.1:9/hook" in " ".join(strict.output.split())
    assert CliRunner().invoke(app, ["run", "--config", str(tmp_path / "s.yaml")]).exit_code == 0


def test_db_upgrade_refuses_a_database_in_memory(tmp_path: Path) -> None:
    result = _run("db", "upgrade", "--database", "sqlite://", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: --database: 'sqlite://' names no file: that is a database in memory")


def test_run_with_a_prefect_server_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    """PREFECT_API_URL left pointing at a team server that is down ended the run in three chained tracebacks."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    (tmp_path / "c.yaml").write_text("database: sqlite:///c.db\nbrands: [{name: A, query: acme}]\n", encoding="utf-8")
    result = subprocess.run([*CLI, "run", "--config", "c.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert (f"Error: PREFECT_API_URL: the Prefect server at http://127.0.0.1:{port}/api does not answer "
            in " ".join(result.stderr.split()))
    assert "unset PREFECT_API_URL" in " ".join(result.stderr.split())
