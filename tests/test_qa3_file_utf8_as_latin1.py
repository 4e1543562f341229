"""A UTF-8 export whose source names a one-byte encoding (latin-1, cp1252): its accents read as they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource

_UTF8 = "id,text,created_at\n1,Nestlé café crème “good”,2026-11-20T10:00:00Z\n2,plain Nestlé,2026-11-20T11:00:00Z\n"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "iso-8859-15"])
def test_utf8_lines_under_a_one_byte_encoding_are_read_as_utf8_with_a_warning(tmp_path: Path, encoding: str) -> None:
    """latin-1 stored 'NestlÃ© cafÃ©' (and the query 'nestlé' missed it); cp1252 skipped the line ('not valid
    cp1252': the closing quote's bytes hold one it leaves undefined); no word said the file was UTF-8."""
    path = tmp_path / "export.csv"
    path.write_bytes(_UTF8.encode("utf-8"))
    batches = list(FileListener(FileSource(kind="file", name="export", path=path, encoding=encoding)).fetch(None))
    mentions = [m for b in batches for m in b.mentions]
    assert [m.text for m in mentions] == ["Nestlé café crème “good”", "plain Nestlé"]
    assert sum(b.skipped for b in batches) == 0
    assert [w for b in batches for w in b.warnings] == [
        f"2 lines (the first line 2) read as UTF-8, not {encoding} as the source's encoding says; if the whole "
        "export is UTF-8, remove encoding from the source"]
    matcher = BrandMatcher([Brand(name="Nestlé", query="nestlé")])
    assert len(prepare_mentions(mentions, matcher)) == 2


def test_an_export_in_its_one_byte_encoding_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(_UTF8.replace("“", '"').replace("”", '"').encode("cp1252"))
    batches = list(FileListener(FileSource(kind="file", name="export", path=path, encoding="cp1252")).fetch(None))
    assert [m.text for b in batches for m in b.mentions] == ['Nestlé café crème "good"', "plain Nestlé"]
    assert [w for b in batches for w in b.warnings] == []
