"""JSON arrays and UTF-16 exports are read a chunk at a time: memory stays far below the file's size."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeywatch.listeners.files import FileListener
from journeywatch.listeners.streams import JsonError, MadeFile, json_values
from journeywatch.settings import FileSource

FILE_BYTES = 16 * 1024 * 1024


def _peak_while_reading(path: Path) -> tuple[int, int]:
    """(rows read, peak bytes Python allocated) for one full read of `path`, batches dropped as they come."""
    listener = FileListener(FileSource(kind="file", name="export", path=path), batch_size=50)
    tracemalloc.start()
    try:
        rows = sum(len(batch.mentions) for batch in listener.fetch(None))
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _row(i: int) -> dict[str, str]:
    return {"id": f"m{i}", "text": f"acme kettle {i} " + "broke after two weeks " * 900,
            "created_at": "2026-11-20T10:00:00Z"}


def _count() -> int:
    return FILE_BYTES // len(json.dumps(_row(0)))


def test_a_json_array_is_not_read_whole_into_memory(tmp_path: Path) -> None:
    """Read whole, a 200 MB array took 1 GB of memory (the text, the parsed list and its JSON Lines copy)."""
    path = tmp_path / "export.json"
    path.write_text("[\n" + ",\n".join(json.dumps(_row(i), indent=2) for i in range(_count())) + "\n]\n")
    rows, peak = _peak_while_reading(path)
    assert rows == _count()
    assert peak < path.stat().st_size / 2


def test_a_utf16_export_is_not_read_whole_into_memory(tmp_path: Path) -> None:
    """Read whole, a UTF-16 file took its size again as text and once more as UTF-8."""
    path = tmp_path / "export.tsv"
    lines = (f"{r['id']}\t{r['text']}\t{r['created_at']}\n" for r in map(_row, range(_count() // 2)))
    path.write_text("id\ttext\tcreated_at\n" + "".join(lines), encoding="utf-16")
    rows, peak = _peak_while_reading(path)
    assert rows == _count() // 2
    assert peak < path.stat().st_size / 2


def _pieces(text: str, size: int) -> Iterator[str]:
    yield from (text[i:i + size] for i in range(0, len(text), size))


VALUES = [1, 2.5, -30, 1e-7, True, None, 'x\n"y', {"a": [1, {"b": "c"}]}, [], 123456789, "é€😀"]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_values_split_anywhere_between_chunks_read_the_same(size: int) -> None:
    """A number cut between chunks ("2" then ".5") must not be read as 2; nor a string, nor an object."""
    for indent in (None, 2):
        assert list(json_values(_pieces(json.dumps(VALUES, indent=indent), size), array=True)) == VALUES
    joined = "\n".join(json.dumps(v, indent=2) for v in VALUES) + "\n"
    assert list(json_values(_pieces(joined, size), array=False)) == VALUES


@pytest.mark.parametrize("text", ['[\n  {"id": 1},\n  {"id": 2, "te', "[1, 2", "[1 2]", "[1,]", "[1] x",
                                  '\n\n   [{"a": tru}]', '[{"a":\n1}, {"b": [1,\n 2,, 3]}]'])
@pytest.mark.parametrize("size", [1, 3, 1000])
def test_where_json_breaks_is_said_as_json_says_it(text: str, size: int) -> None:
    """The line and column are the whole file's, not the chunk's."""
    with pytest.raises(json.JSONDecodeError) as whole:
        json.loads(text)
    with pytest.raises(JsonError) as chunked:
        list(json_values(_pieces(text, size), array=True))
    assert (chunked.value.msg, chunked.value.lineno, chunked.value.colno) == (
        whole.value.msg, whole.value.lineno, whole.value.colno)


def test_made_bytes_seek_back_and_forth_like_a_file() -> None:
    data = b"".join(b"line %d\n" % i for i in range(50_000))
    made = MadeFile(lambda: (data[i:i + 777] for i in range(0, len(data), 777)))
    assert made.read() == data
    made.seek(12345)
    assert made.read(100) == data[12345:12445]
    made.seek(5)
    assert made.read(10) == data[5:15]
    made.seek(0)
    assert list(made) == data.splitlines(keepends=True)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_export_without_a_byte_order_mark_is_read_as_utf16(tmp_path: Path, codec: str) -> None:
    """Its zero bytes were read as text: the file was refused as one whose lines end in a bare CR."""
    path = tmp_path / "export.tsv"
    path.write_bytes("id\ttext\tcreated_at\r\n1\tCafé Acme\t2026-11-20\r\n".encode(codec))
    batches = list(FileListener(FileSource(kind="file", name="export", path=path)).fetch(None))
    assert [(m.external_id, m.text) for b in batches for m in b.mentions] == [("1", "Café Acme")]


def test_an_array_broken_early_fails_without_reading_the_rest_into_memory() -> None:
    """An error before the buffer's end was read on to the file's end, chunk after chunk held, before failing."""
    def chunks() -> Iterator[str]:
        yield '[{"a": tru}, '
        yield from (json.dumps({"text": "x" * 10_000}) + ", " for _ in range(2_000))
        yield "1]"

    tracemalloc.start()
    try:
        with pytest.raises(JsonError, match="Expecting value: line 1 column 8"):
            list(json_values(chunks(), array=True))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
