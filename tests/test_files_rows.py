"""CSV rows whose fields do not line up with the header: said so, never read shifted."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeywatch.errors import ConfigError
from journeywatch.listeners.base import Batch
from journeywatch.listeners.files import FileListener
from journeywatch.settings import FileSource


def _read(path: Path, **extra: object) -> list[Batch]:
    return list(FileListener(FileSource(kind="file", name="export", path=path, **extra)).fetch(None))


def _rows(batches: list[Batch]) -> list[tuple[str, str, str | None]]:
    return [(m.external_id, m.text, m.author) for b in batches for m in b.mentions]


def _warnings(batches: list[Batch]) -> list[str]:
    return [w for b in batches for w in b.warnings]


def test_a_stray_delimiter_before_an_empty_last_field_is_named_not_a_bad_date(tmp_path: Path) -> None:
    """`hello, world` unquoted, author empty: the empty field past the header was taken for a trailing comma,
    the row read as the header's four fields and refused as "created_at ' world' is not a date"."""
    path = tmp_path / "x.csv"
    path.write_text("id,text,created_at,author\n1,hello, world,2026-11-20,\n2,fine,2026-11-20,bob\n")
    batches = _read(path, columns={"author": "author"})
    assert _rows(batches) == [("2", "fine", "bob")]
    assert _warnings(batches) == [
        "line 2: 5 fields where the header has 4, the last empty (a ',' in a field that is not quoted?)"]


def test_a_stray_delimiter_after_the_date_is_not_read_as_a_shorter_text(tmp_path: Path) -> None:
    """Past the date, the shifted row was usable: stored as text 'hello' by author ' world'."""
    path = tmp_path / "x.csv"
    path.write_text("id,created_at,text,author\n1,2026-11-20,fine,bob\n2,2026-11-20,hello, world,\n")
    batches = _read(path, columns={"author": "author"})
    assert _rows(batches) == [("1", "fine", "bob")]
    assert _warnings(batches) == [
        "line 3: 5 fields where the header has 4, the last empty (a ',' in a field that is not quoted?)"]


def test_rows_that_all_end_in_a_delimiter_are_read(tmp_path: Path) -> None:
    """Some tools end every data row (not the header) with the delimiter: those rows are whole."""
    path = tmp_path / "x.csv"
    path.write_text("id;created_at;text;author\n1;2026-11-20;fine;bob;\n2;2026-11-20;also fine;;\n")
    batches = _read(path, columns={"author": "author"})
    assert _rows(batches) == [("1", "fine", "bob"), ("2", "also fine", None)]
    assert _warnings(batches) == []


def test_a_column_name_the_header_repeats_reads_the_first_column(tmp_path: Path) -> None:
    """A sheet with two 'Date' columns (the second empty) read the last: every row 'no created_at', the source
    failed."""
    path = tmp_path / "x.csv"
    path.write_text("id,Date,text,Author,Date,Author\n1,2026-11-20,Acme ok,bob,,\n2,2026-11-20,Acme too,ann,x,y\n")
    listener = FileListener(FileSource(kind="file", name="export", path=path,
                                       columns={"created_at": "Date", "author": "Author (2)"}))
    batches = list(listener.fetch(None))
    assert [(m.external_id, m.created_at.day, m.author) for b in batches for m in b.mentions] == [
        ("1", 20, None), ("2", 20, "y")]
    assert _warnings(batches) == [
        "the header names 'Date' more than once: created_at reads the first; map created_at: Date (2) for the second"]
    with path.open("a") as handle:
        handle.write("id,Date,text,Author,Date,Author\n3,2026-11-21,Acme again,cy,,z\n")  # exports joined end to end
    again = list(listener.fetch(batches[-1].watermark))
    assert [(m.external_id, m.author) for b in again for m in b.mentions] == [("3", "z")]
    assert _warnings(again) == []


def test_a_row_that_ends_before_the_date_column_says_so_not_that_the_column_is_empty(tmp_path: Path) -> None:
    """A text broken over two lines without quotes made two short rows, each 'no created_at (column ... is empty)'."""
    path = tmp_path / "x.csv"
    path.write_text("id,text,author,created_at\n1,Acme ok,bob,2026-11-20\n2,Acme kettle broke\nagain,ann,2026-11-20\n")
    batches = _read(path, columns={"author": "author"})
    assert _rows(batches) == [("1", "Acme ok", "bob")]
    assert _warnings(batches) == [
        f"row ending at line {n}: no created_at (the row ends before column 'created_at': {fields} fields where the "
        "header has more (a line break in a field that is not quoted?))" for n, fields in ((3, 2), (4, 3))]


def test_a_header_in_another_encoding_says_to_set_it(tmp_path: Path) -> None:
    """A cp1252 header read as UTF-8 failed as 'no column for title -> 'Größe'', its columns shown garbled."""
    path = tmp_path / "x.csv"
    path.write_bytes("Datum;Beitrag;Größe\r\n24.11.2026 14:05;Acme gut;1\r\n".encode("cp1252"))
    with pytest.raises(ConfigError, match=r"its columns are \['Datum', 'Beitrag', 'Gr\ufffd\ufffde'\] \(names not valid "
                                          r"UTF-8: set the source's encoding, e.g. encoding: cp1252\)"):
        _read(path, columns={"text": "Beitrag", "created_at": "Datum", "title": "Größe"})
    batches = _read(path, encoding="cp1252", columns={"text": "Beitrag", "created_at": "Datum", "title": "Größe"})
    assert [(m.title, m.text) for b in batches for m in b.mentions] == [("1", "Acme gut")]
