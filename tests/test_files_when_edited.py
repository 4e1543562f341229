"""A compressed export written again, or a JSON array edited by hand, before where the last run stopped."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import mentions as mentions_table

Row = tuple[int, str, str]


def _collect(url: str, source: FileSource) -> tuple[int, int, list[str]]:
    """(new, seen, warnings) of one run of `source` into the database at `url`."""
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(open_database(url), FileListener(source), lambda ms: prepare_mentions(ms, matcher))
    return outcome.new, outcome.seen, outcome.warnings


def _csv_gz(rows: list[Row]) -> bytes:
    return gzip.compress(("id,text,created_at\n" + "".join(f"{i},{t},{d}\n" for i, t, d in rows)).encode())


def _json_array(rows: list[Row]) -> bytes:
    return json.dumps([{"id": i, "text": t, "created_at": d} for i, t, d in rows], indent=1).encode()


def _objects(rows: list[Row]) -> bytes:
    """`jq '.[]'` without -c: each object over several lines."""
    return "".join(json.dumps({"id": i, "text": t, "created_at": d}, indent=2) + "\n" for i, t, d in rows).encode()


def _utf16(rows: list[Row]) -> bytes:
    return ("id\ttext\tcreated_at\r\n" + "".join(f"{i}\t{t}\t{d}\r\n" for i, t, d in rows)).encode("utf-16")


@pytest.mark.parametrize(("name", "write"), [("export.csv.gz", _csv_gz), ("export.json", _json_array),
                                             ("objects.json", _objects), ("export.tsv", _utf16)])
def test_an_export_rewritten_before_where_the_last_run_stopped_is_read_again(
        tmp_path: Path, sqlite_url: str, name: str, write: Callable[[list[Row]], bytes]) -> None:
    """The tail fingerprint covered plain files only: a .gz compressed again, or a JSON array edited by hand, with
    a row deleted past its first 4 KiB and rows appended, was read from the old offset, mid-row: rows were lost
    and a piece of one was a bad row."""
    path = tmp_path / name
    rows = [(i, f"Acme row number {i} says hello", "2026-11-20T10:00:00Z") for i in range(200)]
    path.write_bytes(write(rows))
    source = FileSource(kind="file", name="export", path=path)
    assert _collect(sqlite_url, source)[:2] == (200, 0)
    assert "tail" in get_watermark(open_database(sqlite_url), "export")
    added = [(i, f"Acme new row {i}", "2026-11-20T11:00:00Z") for i in range(200, 203)]
    path.write_bytes(write(rows[:150] + rows[151:] + added))
    assert _collect(sqlite_url, source) == (3, 199, [])
    with open_database(sqlite_url).connect() as connection:
        assert len(connection.execute(select(mentions_table.c.id)).all()) == 203
    assert _collect(sqlite_url, source) == (0, 0, [])
    more = [(i, f"Acme later row {i}", "2026-11-20T12:00:00Z") for i in range(203, 205)]
    path.write_bytes(write(rows[:150] + rows[151:] + added + more))  # appended only: read from where it stopped
    assert _collect(sqlite_url, source) == (2, 0, [])


def test_a_gzip_line_still_being_written_is_read_from_where_the_run_stopped(tmp_path: Path, sqlite_url: str) -> None:
    """The last line, given back to be read whole next run, moves the offset back: the tail fingerprint is of the
    bytes before it, so the next run resumes there rather than reading the file again from the start."""
    path = tmp_path / "posts.jsonl.gz"
    lines = [json.dumps({"id": i, "text": f"Acme post {i}", "created_at": "2026-11-20T10:00:00Z"}) for i in range(3)]
    path.write_bytes(gzip.compress(("\n".join(lines[:2]) + "\n" + lines[2][:20]).encode()))
    source = FileSource(kind="file", name="posts", path=path)
    assert _collect(sqlite_url, source) == (2, 0, [])
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    assert _collect(sqlite_url, source) == (1, 0, [])
