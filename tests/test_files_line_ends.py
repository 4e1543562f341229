"""A file source's lines end at a LF, a CRLF or a bare CR (an old Mac export) alike, on a first read and a re-run."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from journeywatch.listeners.base import Batch
from journeywatch.listeners.files import FileListener, _Cursor, _lines
from journeywatch.settings import FileSource

ENDS = {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}


def _source(path: Path) -> FileSource:
    return FileSource(kind="file", name="export", path=path)


def _ids(batches: list[Batch]) -> list[str]:
    return [m.external_id for b in batches for m in b.mentions]


def _warnings(batches: list[Batch]) -> list[str]:
    return [w for b in batches for w in b.warnings]


def _csv_row(i: int) -> bytes:
    return f"{i},acme {i},2026-11-01T{i % 24:02d}:00:00Z".encode()


def _json_row(i: int) -> bytes:
    return json.dumps({"id": str(i), "text": f"acme {i}", "created_at": f"2026-11-01T{i % 24:02d}:00:00Z"}).encode()


def _file(kind: str, rows: list[bytes], end: bytes) -> bytes:
    header = [b"id,text,created_at"] if kind == "csv" else []
    return b"".join(line + end for line in header + rows)


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_cr_lf_and_crlf_line_ends_are_read_alike(tmp_path: Path, kind: str) -> None:
    """A bare-CR CSV failed ('lines end in a bare CR'), a bare-CR JSONL file was one line, never read."""
    row = _csv_row if kind == "csv" else _json_row
    expected = ["1", "2", "3"]
    for name, end in ENDS.items():
        path = tmp_path / f"{name}.{kind}"
        path.write_bytes(_file(kind, [row(i) for i in range(1, 4)], end))
        batches = list(FileListener(_source(path)).fetch(None))
        assert (_ids(batches), _warnings(batches)) == (expected, []), name
        assert batches[-1].watermark["offset"] == path.stat().st_size, name
        assert batches[-1].watermark["line"] == 3 + (kind == "csv"), name
    mixed = tmp_path / f"mixed.{kind}"
    head = b"id,text,created_at\r" if kind == "csv" else b""
    mixed.write_bytes(head + row(1) + b"\r" + row(2) + b"\r\n" + row(3))
    assert _ids(list(FileListener(_source(mixed)).fetch(None))) == expected
    packed = tmp_path / f"cr.{kind}.gz"
    packed.write_bytes(gzip.compress(_file(kind, [row(i) for i in range(1, 4)], b"\r")))
    assert _ids(list(FileListener(_source(packed)).fetch(None))) == expected


def test_a_cr_inside_a_quoted_csv_field_stays_in_the_field(tmp_path: Path) -> None:
    data = b'id,text,created_at\r1,"acme first\rsecond",2026-11-01\r2,"acme two\r\nlines\nhere",2026-11-02\r'
    path = tmp_path / "mac.csv"
    path.write_bytes(data)
    batches = list(FileListener(_source(path)).fetch(None))
    assert [(m.external_id, m.text) for b in batches for m in b.mentions] == [
        ("1", "acme first second"), ("2", "acme two lines here")]
    assert _warnings(batches) == []
    lines = list(_lines(path.open("rb"), _Cursor(0, 0)))  # the lines the csv module is given keep their ends
    assert lines[:3] == ["id,text,created_at\r", '1,"acme first\r', 'second",2026-11-01\r']
    assert list(csv.reader(lines))[1:] == [["1", "acme first\rsecond", "2026-11-01"],
                                          ["2", "acme two\r\nlines\nhere", "2026-11-02"]]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_cr_file_read_again_after_rows_were_appended(tmp_path: Path, kind: str) -> None:
    """Two runs with rows appended between them: each row read once, none lost, lines counted across runs."""
    row = _csv_row if kind == "csv" else _json_row
    path = tmp_path / f"mac.{kind}"
    path.write_bytes(_file(kind, [row(i) for i in range(1, 6)], b"\r"))
    listener = FileListener(_source(path), batch_size=2)
    first = list(listener.fetch(None))
    assert _ids(first) == ["1", "2", "3", "4", "5"]
    mark = first[-1].watermark
    assert list(listener.fetch(mark)) == []
    with path.open("ab") as handle:
        handle.write(b"\r".join([row(6), b"not a row,,", row(7)]) + b"\r")
    second = list(listener.fetch(mark))
    assert _ids(second) == ["6", "7"]
    bad = 8 if kind == "csv" else 7  # the header is line 1 of a CSV
    assert [w.split(":")[0] for w in _warnings(second)] == [
        f"row ending at line {bad}" if kind == "csv" else f"line {bad}"]
    assert list(listener.fetch(second[-1].watermark)) == []


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_a_crlf_split_between_two_runs_is_one_line_end(tmp_path: Path, kind: str) -> None:
    """A writer that had written a row's CR but not yet its LF: the LF read next run is no line of its own."""
    row = _csv_row if kind == "csv" else _json_row
    path = tmp_path / f"live.{kind}"
    path.write_bytes(_file(kind, [row(1), row(2)], b"\r\n")[:-1])
    listener = FileListener(_source(path))
    first = list(listener.fetch(None))
    assert _ids(first) == ["1", "2"]
    with path.open("ab") as handle:
        handle.write(b"\n" + row(3) + b"\r\nnot a row,,\r\n" + row(4) + b"\r\n")
    second = list(listener.fetch(first[-1].watermark))
    assert _ids(second) == ["3", "4"]
    bad = 5 if kind == "csv" else 4
    assert [w.split(":")[0] for w in _warnings(second)] == [
        f"row ending at line {bad}" if kind == "csv" else f"line {bad}"]
    assert second[-1].watermark["line"] == bad + 1
