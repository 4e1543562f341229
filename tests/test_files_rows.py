"""CSV rows whose fields do not line up with the header: said so, never read shifted."""

from __future__ import annotations

from pathlib import Path

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
