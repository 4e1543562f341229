"""`journeywatch digest` as a user runs it, and the Prefect flow the Monday schedule runs."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from journeywatch.cli import app, main
from journeywatch.domain import Mention
from journeywatch.errors import ConfigError
from journeywatch.reports import NoDataError, file_slugs, md_escape, last_complete_week, parse_week, resolve_week
from journeywatch.reports import select_brands
from journeywatch.reports.weeks import current_week
from journeywatch.settings import load_config
from journeywatch.storage import open_database, store_batch
from tests.test_digest_data import BRAND, WEEK, fill, make_items

CLI = str(Path(sys.executable).parent / "journeywatch")
NEXT_WEEK = current_week("UTC").shift(1).label


def _config(tmp_path: Path, url: str, **digest: object) -> Path:
    path = tmp_path / "journeywatch.yaml"
    path.write_text(yaml.safe_dump({"database": url, "digest": digest or {"timezone": "UTC"}, "brands": [
        {"name": BRAND, "query": "northwind"}, {"name": "Globex Tea", "query": "globex"}]}), encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=False)


def test_digest_command_writes_each_brand_and_prints_paths(sqlite_url: str, tmp_path: Path) -> None:
    fill(open_database(sqlite_url), make_items())
    config = _config(tmp_path, sqlite_url)
    out = tmp_path / "digests"

    done = _run("digest", "--config", str(config), "--week", "latest", "--out", str(out))

    assert done.returncode == 0, done.stderr
    printed = done.stdout.split()
    # 'latest' is the newest week with data: the demo-like data ends in 2026-W46.
    expected = [str(out / f"{slug}-2026-W46.{ext}") for slug in ("northwind-coffee", "globex-tea")
                for ext in ("html", "md", "json")]
    assert printed == expected
    data = json.loads(Path(expected[2]).read_text(encoding="utf-8"))
    assert data["headline"]["volume"]["value"] > 0
    assert data["data_to"] is None and data["partial_note"] is None  # a finished week is whole
    assert "not over yet" not in done.stderr
    empty = json.loads(Path(expected[5]).read_text(encoding="utf-8"))  # a brand with no talk still gets a digest
    assert empty["headline"]["volume"]["value"] == 0
    assert "Note: no items for Globex Tea in 2026-W46" in done.stderr  # ... and the user is told
    assert BRAND not in done.stderr

    one = CliRunner().invoke(app, ["digest", "--config", str(config), "--brand", "globex tea", "--week", "2026-W45",
                                   "--out", str(out)])
    assert one.exit_code == 0, one.output
    assert one.stdout.split() == [str(out / f"globex-tea-2026-W45.{ext}") for ext in ("html", "md", "json")]


def test_file_slugs_are_distinct_and_stable() -> None:
    names = ["Acme Co", "acme-co", "Café", "Cafe", "Acme Co 2", "ACME CO"]
    assert file_slugs(names) == {"Acme Co": "acme-co", "acme-co": "acme-co-3", "Café": "cafe", "Cafe": "cafe-2",
                                 "Acme Co 2": "acme-co-2", "ACME CO": "acme-co-4"}
    assert file_slugs(["Globex"]) == {"Globex": "globex"}
    # A very long name is cut (it failed with "File name too long"); two cut alike still get their own files.
    long_a, long_b = "Acme " * 60 + "A", "Acme " * 60 + "B"
    slugs = file_slugs([long_a, long_b])
    assert len(slugs[long_a]) <= 80 and slugs[long_b] == slugs[long_a] + "-2"


def test_brands_whose_names_slug_alike_get_their_own_files(sqlite_url: str, tmp_path: Path) -> None:
    brands = ["Acme Co", "acme-co", "Café", "Cafe"]
    open_database(sqlite_url)  # an empty database, as `journeywatch db upgrade` leaves it
    config = tmp_path / "journeywatch.yaml"
    config.write_text(yaml.safe_dump({"database": sqlite_url, "brands": [{"name": n, "query": "acme"} for n in brands]}),
                      encoding="utf-8")
    out = tmp_path / "digests"

    done = CliRunner().invoke(app, ["digest", "--config", str(config), "--week", "2026-W46", "--out", str(out)])

    assert done.exit_code == 0, done.output
    printed = done.stdout.split()
    assert [Path(p).name for p in printed if p.endswith(".json")] == [
        f"{s}-2026-W46.json" for s in ("acme-co", "acme-co-2", "cafe", "cafe-2")]
    assert len(set(printed)) == 12 and sorted(printed) == sorted(str(p) for p in out.iterdir())
    written = [json.loads(Path(p).read_text(encoding="utf-8"))["brand"] for p in printed if p.endswith(".json")]
    assert written == brands
    one = CliRunner().invoke(app, ["digest", "--config", str(config), "--brand", "acme-co", "--week", "2026-W46",
                                   "--out", str(out)])
    assert one.stdout.split()[0] == str(out / "acme-co-2-2026-W46.html")  # the same name as in the full run


@pytest.mark.parametrize(("args", "message", "code"), [
    # a --week that names no week a digest can have is a bad option value: a usage error, exit 2
    (("--week", "2026-W60"), "Invalid value for '--week': '2026-W60': 2026 has no ISO week 60", 2),
    (("--week", "next"), "Invalid value for '--week': 'next': use the ISO form YYYY-Www", 2),
    (("--brand", "Initech"), "brand 'Initech' is not in the config", 1),
    (("--week", "latest"), "run `journeywatch run` first", 1),
    (("--week", NEXT_WEEK), f"Invalid value for '--week': '{NEXT_WEEK}' has not started yet", 2),
])
def test_user_errors_are_one_line(
    sqlite_url: str, tmp_path: Path, args: tuple[str, ...], message: str, code: int,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_database(sqlite_url)  # an empty database, as `journeywatch db upgrade` leaves it
    argv = ["journeywatch", "digest", "--config", str(_config(tmp_path, sqlite_url)), "--out", str(tmp_path), *args]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error:") and message in " ".join(err.split())
    assert len(err.splitlines()) == 1 or len(" ".join(err.split())) > 80  # one message, wrapped only by width


def test_a_misspelt_brand_names_the_brand_meant(sqlite_url: str, tmp_path: Path) -> None:
    # 'brand 'Northwnd Coffee' is not in the config; brands are: ...' left the reader to spot the typo among them
    config = load_config(_config(tmp_path, sqlite_url))
    with pytest.raises(ConfigError) as raised:
        select_brands(config, "Northwnd Coffee")
    assert str(raised.value) == ("brand 'Northwnd Coffee' is not in the config; did you mean 'Northwind Coffee'? "
                                 "brands are: Northwind Coffee, Globex Tea")
    with pytest.raises(ConfigError) as raised:
        select_brands(config, "Initech")
    assert str(raised.value) == "brand 'Initech' is not in the config; brands are: Northwind Coffee, Globex Tea"


def test_brand_is_found_whatever_its_case_and_surrounding_spaces(sqlite_url: str, tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, sqlite_url))
    for given in (BRAND, BRAND.upper(), f" {BRAND.lower()} "):  # ' Northwind Coffee ' was "not in the config"
        assert select_brands(config, given) == [BRAND]


def test_a_database_path_with_no_database_is_named_and_not_created(tmp_path: Path) -> None:
    # Opening creates the file: a mistyped path left an empty database behind and an empty digest or
    # "No alerts yet." that read as a quiet week.
    missing = tmp_path / "typo" / "journeywatch.db"
    config = _config(tmp_path, f"sqlite:///{missing}")
    for args in (["digest", "--config", str(config), "--out", str(tmp_path)], ["alerts", "list", "--config", str(config)],
                 ["alerts", "list", "--database", f"sqlite:///{missing}"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
        assert f"no database at {missing}: nothing has been collected there yet" in str(result.exception)
    assert "--database: no database" in str(result.exception)
    assert not missing.parent.exists()


def test_the_running_week_is_written_but_marked_partial(sqlite_url: str, tmp_path: Path) -> None:
    this_week = current_week("UTC").label
    open_database(sqlite_url)
    done = CliRunner().invoke(app, ["digest", "--config", str(_config(tmp_path, sqlite_url)), "--brand", BRAND,
                                    "--week", this_week, "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    [warning] = [line for line in done.stderr.splitlines() if not line.startswith("Note: no items")]
    assert warning.startswith(f"Warning: {this_week} is not over yet. Partial week, data to ")
    html, md, data = (Path(p).read_text(encoding="utf-8") for p in done.stdout.split())
    note = json.loads(data)["partial_note"]
    assert note.startswith("Partial week, data to ") and json.loads(data)["data_to"]
    assert note in warning and note in html
    assert md_escape(note) in md.split("## Headline")[0]


def test_digest_flow_writes_the_files(prefect_harness: None, sqlite_url: str, tmp_path: Path) -> None:
    from journeywatch.flows.digest import digest_flow

    fill(open_database(sqlite_url), make_items(weeks=3), failures=0)
    paths = digest_flow(str(_config(tmp_path, sqlite_url)), week="2026-W46", out=str(tmp_path / "out"))
    assert [Path(p).name for p in paths] == [f"{slug}-2026-W46.{ext}" for slug in ("northwind-coffee", "globex-tea")
                                             for ext in ("html", "md", "json")]
    assert all(Path(p).stat().st_size > 0 for p in paths)


def test_latest_skips_a_week_still_running(sqlite_url: str, tmp_path: Path) -> None:
    """A stray item stamped 'now' (a feed entry without a date) must not make 'latest' an unfinished week."""
    engine = open_database(sqlite_url)
    fill(engine, make_items(weeks=2), failures=0)
    store_batch(engine, [Mention(source="feed", external_id="undated", text="no date", brands=[BRAND],
                                 created_at=datetime.now(timezone.utc))])
    config = load_config(_config(tmp_path, sqlite_url))
    # ... nor the empty week before it: 'latest' is the newest finished week that has data.
    assert last_complete_week("UTC") != parse_week(WEEK)
    assert resolve_week(engine, config, "latest", [BRAND]) == parse_week(WEEK)


def test_latest_with_data_only_in_the_running_week_says_so(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="feed", external_id="new", text="northwind", brands=[BRAND],
                                 created_at=datetime.now(timezone.utc))])
    config = load_config(_config(tmp_path, sqlite_url))
    with pytest.raises(NoDataError, match=f"from this week \\({current_week('UTC').label} in UTC\\)"):
        resolve_week(engine, config, "latest", [BRAND])


def test_a_bad_source_entry_does_not_stop_the_digest(sqlite_url: str, tmp_path: Path) -> None:
    """`run` reports a mistyped source and collects the rest; the Monday digest must not fail over it either."""
    fill(open_database(sqlite_url), make_items())
    config = _config(tmp_path, sqlite_url)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["sources"] = [{"name": "typo", "kind": "fed", "url": "http://127.0.0.1:9/x.rss"}]
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = CliRunner().invoke(app, ["digest", "--config", str(config), "--week", "2026-W46", "--brand", BRAND,
                                    "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / "northwind-coffee-2026-W46.json").is_file()


def test_a_brand_name_with_emoji_codes_and_markup_is_printed_as_written(sqlite_url: str, tmp_path: Path) -> None:
    # "Café :fire: [bold]x[/]" was printed "Café 🔥 [bold]x[/]" in the sent / not sent lines and the notes.
    fill(open_database(sqlite_url), make_items())
    name = "Café :fire: [bold]x[/]"
    path = tmp_path / "journeywatch.yaml"
    path.write_text(yaml.safe_dump({"database": sqlite_url, "digest": {"timezone": "UTC", "notify": [
        f"file://{tmp_path}/digest.log"]}, "brands": [{"name": name, "query": "globex"}]}), encoding="utf-8")
    done = _run("digest", "--config", str(path), "--week", WEEK, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert f"Note: no items for {name} in {WEEK}" in done.stderr
    assert f"{WEEK}: {name} digest sent to file://{tmp_path}/digest.log" in done.stderr
    assert "🔥" not in done.stderr
    wrong = _run("digest", "--config", str(path), "--brand", "Acme", "--out", str(tmp_path / "out"))
    assert wrong.returncode == 1 and f"brands are: {name}" in " ".join(wrong.stderr.split())  # the error line too


def test_latest_with_data_only_after_this_week_says_the_dates_are_ahead(sqlite_url: str, tmp_path: Path) -> None:
    # Items dated next month (a source's dates read in a wrong zone or day/month order) were said to be
    # "from this week, which is not over; ask for --week <this week>", whose digest was empty.
    engine = open_database(sqlite_url)
    ahead = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=40)
    store_batch(engine, [Mention(source="feed", external_id="ahead", text="northwind", brands=[BRAND],
                                 created_at=ahead)])
    config = load_config(_config(tmp_path, sqlite_url))
    with pytest.raises(NoDataError, match=f"dated after this week .*the newest {ahead:%Y-%m-%d %H:%M} UTC"):
        resolve_week(engine, config, "latest", [BRAND])
