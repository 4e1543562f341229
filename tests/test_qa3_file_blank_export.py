"""An export with no row yet that is not zero bytes: a lone byte-order mark (Excel's empty CSV UTF-8), blank lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions as mentions_table


@pytest.mark.parametrize("nothing_yet", [b"\xef\xbb\xbf", b"\r\n\r\n", b"\xef\xbb\xbf\r\n"])
def test_a_csv_with_nothing_in_it_yet_is_read_like_an_empty_one(tmp_path: Path, sqlite_url: str,
                                                                 nothing_yet: bytes) -> None:
    """It failed the source: "the file has no column for text -> 'text' ...; its columns are []", where a
    zero-byte file is read as having no rows yet; its rows, written later, are read."""
    path = tmp_path / "mentions.csv"
    path.write_bytes(nothing_yet)
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = FileListener(FileSource(kind="file", name="export", path=path))
    first = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (first.fetched, first.new, first.skipped) == (0, 0, 0)
    with path.open("ab") as handle:
        handle.write(b"id,text,created_at\r\n1,Acme kettle arrived,2026-11-20T10:00:00Z\r\n")
    second = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (second.new, second.skipped, second.warnings) == (1, 0, [])
    with engine.connect() as connection:
        assert connection.execute(select(mentions_table.c.external_id, mentions_table.c.text)).all() == [
            ("1", "Acme kettle arrived")]
