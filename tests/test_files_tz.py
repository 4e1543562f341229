"""A file source's `timezone`: exports that write local times without an offset, read in the zone they were written in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from journeywatch.errors import ConfigError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource, parse_config
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions as mentions_table


def _collect(url: str, source: FileSource) -> tuple[int, int, list[str]]:
    """(new, seen, warnings) of one run of `source` into the database at `url`."""
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(open_database(url), FileListener(source), lambda ms: prepare_mentions(ms, matcher))
    return outcome.new, outcome.seen, outcome.warnings


def _stored(url: str) -> dict[str, str]:
    """Each stored item's text and its created_at in UTC."""
    with open_database(url).connect() as connection:
        rows = connection.execute(select(mentions_table.c.text, mentions_table.c.created_at))
        return {text: created.isoformat() for text, created in rows}


def test_local_times_are_read_in_the_sources_timezone(tmp_path: Path, sqlite_url: str) -> None:
    """Sprout Social and Excel write local times without an offset: read as UTC, a Berlin 23:30 post was stored
    an hour late, on the next digest day. Times with an offset or Z, and Unix time, keep their own zone."""
    path = tmp_path / "sprout.csv"
    path.write_text("Date,Message\n"
                    "2026-11-20 23:30,Acme late night\n"  # CET, UTC+1
                    "2026-07-01 12:00,Acme summer\n"  # CEST, UTC+2
                    "2026-11-20T23:30:00Z,Acme with a Z\n"
                    "2026-11-20T23:30:00-05:00,Acme with an offset\n"
                    "1795218000,Acme unix\n"
                    "46346.5,Acme serial day\n")  # a sheet's date cell: its wall-clock time, in the zone too
    source = FileSource(kind="file", name="sprout", path=path, timezone="Europe/Berlin",
                        columns={"created_at": "Date", "text": "Message"})
    assert _collect(sqlite_url, source) == (6, 0, [])
    assert _stored(sqlite_url) == {
        "Acme late night": "2026-11-20T22:30:00+00:00",
        "Acme summer": "2026-07-01T10:00:00+00:00",
        "Acme with a Z": "2026-11-20T23:30:00+00:00",
        "Acme with an offset": "2026-11-21T04:30:00+00:00",
        "Acme unix": "2026-11-20T23:40:00+00:00",
        "Acme serial day": "2026-11-20T11:00:00+00:00",
    }


def test_the_default_stays_utc(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("text,created_at\nAcme,2026-11-20 23:30\n")
    [batch] = FileListener(FileSource(kind="file", name="x", path=path)).fetch(None)
    assert batch.mentions[0].created_at.isoformat() == "2026-11-20T23:30:00+00:00"


def test_times_the_clock_skips_or_repeats_read_with_the_offset_before_the_change(tmp_path: Path) -> None:
    """02:30 on the night clocks go forward does not exist in Berlin, and on the night they go back it exists
    twice: neither fails its row; each is read with the offset in force before the change (fold=0)."""
    path = tmp_path / "dst.csv"
    path.write_text("text,created_at\nAcme spring,2026-03-29 02:30\nAcme autumn,2026-10-25 02:30\n")
    [batch] = FileListener(FileSource(kind="file", name="x", path=path, timezone="Europe/Berlin")).fetch(None)
    assert [(m.text, m.created_at.isoformat()) for m in batch.mentions] == [
        ("Acme spring", "2026-03-29T01:30:00+00:00"), ("Acme autumn", "2026-10-25T00:30:00+00:00")]
    assert batch.skipped == 0


def test_an_unknown_timezone_is_a_config_error_naming_the_source(tmp_path: Path) -> None:
    data = {"brands": [{"name": "Acme", "query": "acme"}],
            "sources": [{"name": "sprout", "kind": "file", "path": "x.csv", "timezone": "Europe/Berlinn"}]}
    with pytest.raises(ConfigError, match="source 'sprout': unknown timezone 'Europe/Berlinn'; did you mean "
                                          "'Europe/Berlin'\\?"):
        parse_config(data, base=tmp_path)
    data["sources"][0]["timezone"] = "Mars/Olympus"  # type: ignore[index]
    with pytest.raises(ConfigError, match="source 'sprout': unknown timezone 'Mars/Olympus'; use an IANA name"):
        parse_config(data, base=tmp_path)


def test_rows_without_an_id_are_not_stored_twice_once_the_timezone_is_set(tmp_path: Path, sqlite_url: str) -> None:
    """A row without an id is identified by a hash of its text and time. Taken from the time read in the zone, a
    timezone set later made every such row of the file new when it was read again (a daily export written over
    the same file): each stored a second time, an hour apart."""
    path = tmp_path / "meltwater.csv"
    path.write_text("text,created_at\nAcme one,2026-11-20 10:00\nAcme two,2026-11-20 11:00\n")
    source = FileSource(kind="file", name="meltwater", path=path)
    assert _collect(sqlite_url, source)[:2] == (2, 0)
    path.write_text("text,created_at\nAcme zero,2026-11-20 09:00\nAcme one,2026-11-20 10:00\n"
                    "Acme two,2026-11-20 11:00\n")  # the next day's export, written over it
    assert _collect(sqlite_url, source.model_copy(update={"timezone": "Europe/Berlin"}))[:2] == (1, 2)
    assert _stored(sqlite_url) == {"Acme zero": "2026-11-20T08:00:00+00:00", "Acme one": "2026-11-20T10:00:00+00:00",
                                   "Acme two": "2026-11-20T11:00:00+00:00"}
