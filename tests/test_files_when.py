"""A file source's created_at joined from a date column and a time column (Brand24's `Date` and `Hour`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from journeywatch.errors import ConfigError, SourceError
from journeywatch.listeners.files import FileListener
from journeywatch.settings import FileSource, parse_config
from tests.test_files_tz import _collect, _stored


def test_a_date_and_a_time_column_are_read_together(tmp_path: Path, sqlite_url: str) -> None:
    """Mapped to the date alone, every row of a day was stored at 00:00: all in one hour's alert window."""
    path = tmp_path / "brand24.csv"
    path.write_text("ID,Content,Date,Hour\n"
                    "1,Acme kettle broke,2026-11-20,14:05\n"
                    "2,Acme delivery on time,2026-11-20,09:30\n"
                    "3,Acme no hour,2026-11-20,\n"
                    "4,Acme no date,,\n"
                    "5,Acme broken,2026-11-20\n")  # a row broken over lines: its hour on the next
    source = FileSource(kind="file", name="brand24", path=path, timezone="Europe/Warsaw",
                        columns={"id": "ID", "text": "Content", "created_at": ["Date", "Hour"]})
    new, seen, warnings = _collect(sqlite_url, source)
    assert (new, seen) == (3, 0)
    assert warnings == ["row ending at line 5: no created_at (column 'Date' is empty)",
                        "row ending at line 6: no created_at (the row ends before column 'Hour': 3 fields where "
                        "the header has more (a line break in a field that is not quoted?))"]
    assert _stored(sqlite_url) == {"Acme kettle broke": "2026-11-20T13:05:00+00:00",
                                   "Acme delivery on time": "2026-11-20T08:30:00+00:00",
                                   "Acme no hour": "2026-11-19T23:00:00+00:00"}


def test_date_format_reads_the_joined_value(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Datum;Uhrzeit;Text\n20/11/2026;2:05 PM;Acme kettle broke\n20/11/2026;bald;Acme soon\n")
    source = FileSource(kind="file", name="sheet", path=path, date_format="%d/%m/%Y %I:%M %p",
                        columns={"text": "Text", "created_at": ["Datum", "Uhrzeit"]})
    [batch] = FileListener(source).fetch(None)
    assert [m.created_at.isoformat() for m in batch.mentions] == ["2026-11-20T14:05:00+00:00"]
    assert batch.warnings == ["row ending at line 3: created_at '20/11/2026 bald' does not match date_format "
                              "'%d/%m/%Y %I:%M %p' (in columns 'Datum' and 'Uhrzeit')"]


def test_jsonl_paths_are_joined_too(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text(json.dumps({"text": "Acme", "post": {"day": "2026-11-20", "time": "14:05:09"}}) + "\n")
    source = FileSource(kind="file", name="posts", path=path, columns={"created_at": ["post.day", "post.time"]})
    [batch] = FileListener(source).fetch(None)
    assert batch.mentions[0].created_at.isoformat() == "2026-11-20T14:05:09+00:00"


def test_a_joined_column_the_file_lacks_is_named(tmp_path: Path) -> None:
    path = tmp_path / "brand24.csv"
    path.write_text("Date,Hour,Content\n2026-11-20,14:05,Acme\n")
    source = FileSource(kind="file", name="brand24", path=path,
                        columns={"text": "Content", "created_at": ["Date", "Time"]})
    with pytest.raises(ConfigError, match=r"no column for created_at\[1\] -> 'Time'; its columns are "
                                          r"\['Date', 'Hour', 'Content'\]"):
        list(FileListener(source).fetch(None))
    jsonl = tmp_path / "posts.jsonl"
    jsonl.write_text(json.dumps({"text": "Acme", "day": "2026-11-20"}) + "\n")
    with pytest.raises((ConfigError, SourceError), match=r"created_at\[1\] -> 'time'"):
        list(FileListener(FileSource(kind="file", name="posts", path=jsonl,
                                     columns={"created_at": ["day", "time"]})).fetch(None))


@pytest.mark.parametrize(("columns", "problem"), [
    ({"text": ["Title", "Body"]}, "columns: text is read from one column; only created_at may join several"),
    ({"created_at": []}, "columns: created_at [] must name its columns"),
    ({"created_at": ["Date", ""]}, "columns: created_at ['Date', ''] must name its columns"),
    ({"id": 123}, "columns: id must be a column's name, not 123 (put it in quotes)"),
])
def test_a_wrong_joined_mapping_is_a_config_error_naming_the_source(tmp_path: Path, columns: dict[str, object],
                                                                     problem: str) -> None:
    data = {"brands": [{"name": "Acme", "query": "acme"}],
            "sources": [{"name": "brand24", "kind": "file", "path": "x.csv", "columns": columns}]}
    with pytest.raises(ConfigError, match=re.escape(f"source 'brand24': {problem}")):
        parse_config(data, base=tmp_path)
