"""Exports as listening tools and spreadsheets write them, collected into a real database run after run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions as mentions_table


def _collect(url: str, source: FileSource) -> tuple[int, int, list[str]]:
    """(new, seen, warnings) of one run of `source` into the database at `url`."""
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(open_database(url), FileListener(source), lambda ms: prepare_mentions(ms, matcher))
    return outcome.new, outcome.seen, outcome.warnings


def _texts(url: str) -> list[str]:
    with open_database(url).connect() as connection:
        return sorted(connection.execute(select(mentions_table.c.text)).scalars())


def test_ids_a_spreadsheet_rounded_do_not_cost_a_later_runs_rows(tmp_path: Path, sqlite_url: str) -> None:
    """Excel saves a post's 18-digit id as 1,23457E+17: every row shared it, so a row appended later was taken for
    the one stored under it and lost (new 0, seen 1)."""
    path = tmp_path / "excel.csv"
    rows = ["Id;Datum;Text", "1,23457E+17;24.11.2026 14:05;Café Acme: Wasserkocher kaputt",
            "1,23457E+17;24.11.2026 14:06;Acme Lieferung pünktlich"]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    source = FileSource(kind="file", name="excel", path=path, encoding="cp1252",
                        columns={"id": "Id", "text": "Text", "created_at": "Datum"})
    new, seen, warnings = _collect(sqlite_url, source)
    assert (new, seen) == (2, 0)
    assert warnings == ["2 rows' ids ('Id', e.g. '1,23457E+17') are numbers rounded by a spreadsheet, shared by "
                        "different posts: each is identified by its text and time instead (format the id column "
                        "as text before saving the sheet to keep the ids)"]
    with path.open("ab") as handle:
        handle.write("1,23457E+17;24.11.2026 15:00;Acme Kundendienst antwortet nie\r\n".encode("cp1252"))
    assert _collect(sqlite_url, source)[:2] == (1, 0)
    assert _collect(sqlite_url, source)[:2] == (0, 0)
    assert _texts(sqlite_url) == ["Acme Kundendienst antwortet nie", "Acme Lieferung pünktlich",
                                  "Café Acme: Wasserkocher kaputt"]


def test_an_export_edited_past_its_opening_bytes_is_read_again_not_mid_row(tmp_path: Path, sqlite_url: str) -> None:
    """A spam row deleted in Excel past the first 4 KiB, then rows appended: the next run started mid-row, two rows
    were lost and a piece of one was a bad row."""
    path = tmp_path / "export.csv"
    rows = [f"{i},Acme row number {i} says hello,2026-11-20T10:00:00Z\n" for i in range(200)]
    path.write_text("id,text,created_at\n" + "".join(rows))
    source = FileSource(kind="file", name="export", path=path)
    assert _collect(sqlite_url, source)[:2] == (200, 0)
    added = [f"{i},Acme new row {i},2026-11-20T11:00:00Z\n" for i in range(200, 203)]
    path.write_text("id,text,created_at\n" + "".join(rows[:150] + rows[151:] + added))
    assert _collect(sqlite_url, source) == (3, 199, [])
    assert len(_texts(sqlite_url)) == 203
    assert _collect(sqlite_url, source) == (0, 0, [])


def test_rows_skipped_for_the_encoding_are_read_once_it_is_set(tmp_path: Path, sqlite_url: str) -> None:
    """A Windows export read as UTF-8 skips its accented rows and says to set `encoding`: set, the rerun read only
    what was appended, and the skipped rows were lost for good."""
    path = tmp_path / "excel.csv"
    path.write_bytes("id,text,created_at\n1,Acme ok,2026-11-20\n2,Café Acme,2026-11-20\n".encode("cp1252"))
    source = FileSource(kind="file", name="excel", path=path)
    new, seen, warnings = _collect(sqlite_url, source)
    assert (new, seen) == (1, 0) and "set the source's encoding" in warnings[0]
    assert _collect(sqlite_url, source.model_copy(update={"encoding": "cp1252"})) == (1, 1, [])
    assert _texts(sqlite_url) == ["Acme ok", "Café Acme"]


def test_rows_skipped_for_their_dates_are_read_once_date_format_is_set(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("text,date\nAcme ok,2026-11-20 10:00\nAcme kettle broke,11/24/2026 2:05 PM\n")
    source = FileSource(kind="file", name="sheet", path=path, columns={"created_at": "date"})
    assert _collect(sqlite_url, source)[:2] == (1, 0)
    with path.open("a") as handle:
        handle.write("Acme late,11/24/2026 3:05 PM\n")
    us = source.model_copy(update={"date_format": "%m/%d/%Y %I:%M %p"})
    assert _collect(sqlite_url, us)[:2] == (2, 0)  # the first row now reads as no date: skipped, already stored
    assert _texts(sqlite_url) == ["Acme kettle broke", "Acme late", "Acme ok"]


def test_a_row_with_a_title_and_no_text_is_read_with_its_title_as_text(tmp_path: Path) -> None:
    """A news hit or a video mention exports a headline and an empty body: skipped as 'no text', where a feed
    entry or a Reddit post with only a title is kept."""
    path = tmp_path / "brandwatch.csv"
    path.write_text('"Date","Title","Full Text","Url"\n'
                    '"2026-11-20 14:05:00.0","Acme recalls 10,000 kettles","","https://news.example/1"\n'
                    '"2026-11-20 14:06:00.0","","","https://news.example/2"\n')
    source = FileSource(kind="file", name="bw", path=path,
                        columns={"text": "Full Text", "created_at": "Date", "title": "Title", "url": "Url"})
    batches = list(FileListener(source).fetch(None))
    assert [(m.title, m.text) for b in batches for m in b.mentions] == [
        ("Acme recalls 10,000 kettles", "Acme recalls 10,000 kettles")]
    assert [w for b in batches for w in b.warnings] == ["row ending at line 3: no text (column 'Full Text' is empty)"]


def test_ids_excel_kept_15_digits_of_are_no_ids(tmp_path: Path) -> None:
    """Formatted as a number, Excel keeps a 19-digit id's first 15 digits and writes zeros after them."""
    path = tmp_path / "excel.csv"
    path.write_text("id,text,created_at\n1861234567890120000,Acme one,2026-11-20\n"
                    "1861234567890120000,Acme two,2026-11-20\n"
                    "1861234567890123456,Acme three,2026-11-20\n186123456789012340,Acme four,2026-11-20\n")
    batches = list(FileListener(FileSource(kind="file", name="excel", path=path)).fetch(None))
    assert [m.external_id[:7] for b in batches for m in b.mentions] == [
        "sha256:", "sha256:", "1861234", "1861234"]
    assert [w[:60] for b in batches for w in b.warnings] == [
        "2 rows' ids ('id', e.g. '1861234567890120000') are numbers r"]
