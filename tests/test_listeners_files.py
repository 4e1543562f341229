"""CSV and JSONL exports: column mapping, bad rows skipped and counted, cheap idempotent re-runs."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from journeywatch.errors import ConfigError, SourceError
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, build_listener, prepare_mentions
from journeywatch.listeners.base import Batch
from journeywatch.listeners.files import FileListener, parse_time
from journeywatch.settings import Brand, FileSource, parse_config
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import mentions as mentions_table


def _source(path: Path, **extra: object) -> FileSource:
    return FileSource(kind="file", name="export", path=path, **extra)


def _all(batches: list[Batch]) -> list[tuple[str, str, str]]:
    return [(m.external_id, m.text, m.created_at.isoformat()) for b in batches for m in b.mentions]


def test_csv_with_column_mapping_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_bytes(
        "review_id,body,date,user,stars_kind\n"
        "r1,\"Acme kettle, great\",2026-11-01T10:00:00+02:00,bob,review\n"
        "r2,,2026-11-01T10:00:00Z,bob,review\n"
        "r3,\"two\nlines\",2026-11-02,alice,nonsense\n"
        "r4,bad date,yesterday,x,review\n".encode()
        + "r5,caf\xe9,2026-11-03T00:00:00Z,y,review\n".encode("latin-1")
        + b"r6,unix time,1793520000,z,review\n"
    )
    listener = FileListener(_source(path, source_kind="review",
                                    columns={"id": "review_id", "text": "body", "created_at": "date",
                                             "author": "user", "source_kind": "stars_kind"}))
    batches = list(listener.fetch(None))
    assert _all(batches) == [
        ("r1", "Acme kettle, great", "2026-11-01T08:00:00+00:00"),
        ("r3", "two lines", "2026-11-02T00:00:00+00:00"),
        ("r6", "unix time", datetime.fromtimestamp(1793520000, timezone.utc).isoformat()),
    ]
    assert [m.author for b in batches for m in b.mentions] == ["bob", "alice", "z"]
    assert [m.source_kind for b in batches for m in b.mentions] == ["review", "review", "review"]
    assert sum(b.skipped for b in batches) == 3
    warnings = " | ".join(w for b in batches for w in b.warnings)
    assert "line 3: no text" in warnings and "'yesterday'" in warnings and "line 7: not valid UTF-8" in warnings


def test_csv_header_names_are_read_without_surrounding_spaces(tmp_path: Path) -> None:
    """Excel keeps a header typed as "Body " with its space: mapping `text: Body` failed the source."""
    path = tmp_path / "tickets.csv"
    path.write_bytes(b'\xef\xbb\xbf"Ticket ID", Body ,Opened \r\nt1,"Acme ""kettle""\r\nbroke",2026-11-01T10:00:00Z\r\n')
    listener = FileListener(_source(path, columns={"id": "Ticket ID", "text": "Body", "created_at": "Opened"}))
    assert _all(list(listener.fetch(None))) == [("t1", 'Acme "kettle" broke', "2026-11-01T10:00:00+00:00")]


def test_a_file_first_read_small_then_replaced_is_read_again_from_the_start(tmp_path: Path) -> None:
    """A first read of just the header fingerprinted only the header: a replaced export with the same header was read
    from the old offset, and its rows before it were never stored."""
    path = tmp_path / "export.csv"
    path.write_bytes(b"id,text,created_at\n")
    listener = FileListener(_source(path))
    mark = list(listener.fetch(None))[-1].watermark
    path.write_bytes(b"id,text,created_at\na1,acme one,2026-11-01T10:00:00Z\na2,acme two,2026-11-01T11:00:00Z\n")
    batches = list(listener.fetch(mark))
    assert [m.external_id for b in batches for m in b.mentions] == ["a1", "a2"]
    path.write_bytes(b"id,text,created_at\nb1,acme new export,2026-11-02T10:00:00Z\n"
                     b"b2,acme new export two,2026-11-02T11:00:00Z\nb3,acme three,2026-11-02T12:00:00Z\n")
    assert [m.external_id for b in listener.fetch(batches[-1].watermark) for m in b.mentions] == ["b1", "b2", "b3"]


@pytest.mark.parametrize("name", ["exports", "exports/*.csv*"])
def test_a_folder_or_a_pattern_of_exports_is_read_file_by_file(tmp_path: Path, sqlite_url: str, name: str) -> None:
    """A folder a tool drops a daily export into failed: 'a file source reads one file; add a source for each'."""
    import gzip

    folder = tmp_path / "exports"
    folder.mkdir()
    header = "id,text,created_at\n"
    (folder / "2026-11-19.csv").write_text(header + "1,acme one,2026-11-19T10:00:00Z\n"
                                                    "2,acme two,2026-11-19T11:00:00Z\n")
    (folder / "2026-11-20.csv.gz").write_bytes(gzip.compress((header + "2,acme two,2026-11-19T11:00:00Z\n"
                                                               "3,acme three,2026-11-20T10:00:00Z\n").encode()))
    (folder / "notes.txt").write_text("not an export")
    (folder / ".~lock.2026-11-19.csv#").write_text("LibreOffice's lock file")
    (folder / "~$2026-11-19.csv").write_bytes(b"\x05Excel's owner file")
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = FileListener(_source(tmp_path / name))
    first = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (first.new, first.seen, first.skipped, first.warnings) == (3, 1, 0, [])  # overlapping exports: seen
    assert collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher)).fetched == 0
    with (folder / "2026-11-19.csv").open("a") as handle:
        handle.write("4,acme four,2026-11-19T12:00:00Z\n")
    (folder / "2026-11-21.csv").write_text("id;words;created_at\n5;acme five;2026-11-21\n")  # a column renamed
    (folder / "2026-11-22.csv").write_text(header + "6,acme six,2026-11-22T10:00:00Z\n")
    third = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (third.new, third.seen) == (2, 0)
    assert [w.split(": config key")[0] for w in third.warnings] == ["2026-11-21.csv"]
    assert "the file has no column for text" in third.warnings[0] and "read again next run" in third.warnings[0]
    (folder / "2026-11-21.csv").write_text(header + "5,acme five,2026-11-21T10:00:00Z\n")  # fixed: read now
    fourth = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (fourth.new, fourth.warnings) == (1, [])
    with engine.connect() as connection:
        assert sorted(connection.execute(select(mentions_table.c.external_id)).scalars()) == list("123456")


def test_a_folder_whose_every_new_file_fails_fails_the_source(tmp_path: Path) -> None:
    (tmp_path / "a [1].csv").write_text("id,words,created_at\n1,acme,2026-11-20\n")
    with pytest.raises(ConfigError, match=r"no column for text .*\(in a \[1\]\.csv\)"):
        list(FileListener(_source(tmp_path)).fetch(None))
    named = tmp_path / "a [1].csv"  # named as itself, it is that file, not a pattern
    with pytest.raises(ConfigError, match=r"no column for text"):
        list(FileListener(_source(named)).fetch(None))
    (tmp_path / "b.csv").write_text("id,text,created_at\n1,acme,someday\n")
    with pytest.raises(SourceError, match=r"all 2 files with something new failed: a \[1\]\.csv: config key"):
        list(FileListener(_source(tmp_path)).fetch(None))
    empty = tmp_path / "empty"
    empty.mkdir()
    [batch] = FileListener(_source(empty)).fetch(None)
    assert batch.warnings == [f"folder {str(empty)!r} holds no export yet"]
    [batch] = FileListener(_source(empty / "*.jsonl")).fetch(None)
    assert batch.warnings == [f"no file matches {str(empty / '*.jsonl')!r} yet"]


def test_jsonl_with_nested_columns_and_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    lines = [
        json.dumps({"id": 1, "post": {"body": "<p>Acme &amp; co</p>"}, "ts": "2026-11-01T10:00:00Z",
                    "user": {"name": "dana"}, "title": "Hi"}),
        "{not json",
        json.dumps([1, 2]),
        "",
        json.dumps({"post": {"body": "no id here"}, "ts": "2026-11-02T00:00:00Z"}),
    ]
    path.write_bytes("\n".join(lines).encode() + b"\n" + b'{"id": 9, "post": {"body": "\xff"}}\n')
    listener = FileListener(_source(path, columns={"text": "post.body", "created_at": "ts", "author": "user.name"}))
    batches = list(listener.fetch(None))
    mentions = [m for b in batches for m in b.mentions]
    assert [(m.external_id, m.text, m.title, m.author) for m in mentions][0] == ("1", "Acme & co", "Hi", "dana")
    assert mentions[1].external_id.startswith("sha256:") and mentions[1].text == "no id here"
    assert sum(b.skipped for b in batches) == 3
    again = list(FileListener(_source(path, columns={"text": "post.body", "created_at": "ts"})).fetch(None))
    assert [m.external_id for b in again for m in b.mentions] == [m.external_id for m in mentions]


def test_jsonl_objects_and_lists_are_not_stored_as_python_text(tmp_path: Path, sqlite_url: str) -> None:
    """A field holding an object is a row to fix (map the field inside it), never `{'body': ...}` stored."""
    path = tmp_path / "posts.jsonl"
    when = "2026-11-01T10:00:00Z"
    rows = [{"id": 1, "text": {"body": "Acme rocks", "lang": "en"}, "created_at": when},
            {"id": 2, "text": ["Acme", "rocks"], "created_at": when},
            {"id": {"$oid": "65a1"}, "text": "Acme oid", "created_at": when},
            {"id": 4, "text": "Acme ok", "created_at": when, "author": {"name": "bob"}, "title": ["t"]},
            {"id": 5, "text": "Acme mapped", "created_at": when, "user": {"name": "eve"}}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = FileListener(_source(path, columns={"author": "user"}))
    outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher, raw_authors=True))
    assert (outcome.new, outcome.skipped) == (1, 4)
    assert outcome.warnings[:3] == [
        "row ending at line 1: text ('text') is a JSON object, not text; map the field inside it in the "
        "source's columns, e.g. text: text.body",
        "row ending at line 2: text ('text') is a JSON list, not text",
        "row ending at line 3: id ('id') is a JSON object, not text; map the field inside it in the source's "
        "columns, e.g. id: id.$oid",
    ]
    assert "author ('user') is a JSON object" in outcome.warnings[3]  # mapped by the config: it is asked for
    with engine.connect() as connection:
        stored = connection.execute(select(mentions_table.c.text, mentions_table.c.author)).all()
    assert stored == [("Acme ok", None)]  # `author` is mapped to `user`; the unmapped `title` list is absent


def test_rerun_reads_only_what_was_appended_and_a_replaced_file_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    row = lambda i: json.dumps({"id": f"i{i}", "text": f"acme {i}", "created_at": "2026-11-01T00:00:00Z"}) + "\n"  # noqa: E731
    path.write_text("".join(row(i) for i in range(5)))
    listener = FileListener(_source(path), batch_size=2)
    first = list(listener.fetch(None))
    assert [len(b.mentions) for b in first] == [2, 2, 1]
    mark = first[-1].watermark
    assert list(listener.fetch(mark)) == []
    with path.open("a") as handle:
        handle.write(row(5) + row(6))
    appended = list(listener.fetch(mark))
    assert [m.external_id for b in appended for m in b.mentions] == ["i5", "i6"]
    path.write_text(row(100) + row(101))  # a different file under the same name
    replaced = list(listener.fetch(appended[-1].watermark))
    assert [m.external_id for b in replaced for m in b.mentions] == ["i100", "i101"]


def test_a_half_written_last_line_waits_for_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    whole = json.dumps({"id": "b", "text": "acme two", "created_at": "2026-11-01T00:00:00Z"})
    path.write_text(json.dumps({"id": "a", "text": "acme one", "created_at": "2026-11-01T00:00:00Z"}) + "\n"
                    + whole[:20])
    listener = FileListener(_source(path))
    first = list(listener.fetch(None))
    assert [m.external_id for b in first for m in b.mentions] == ["a"] and sum(b.skipped for b in first) == 0
    with path.open("a") as handle:
        handle.write(whole[20:] + "\n")
    second = list(listener.fetch(first[-1].watermark))
    assert [m.external_id for b in second for m in b.mentions] == ["b"]


@pytest.mark.parametrize("cut", ["3,acme thr", '3,"acme, three', "3,acme three,2026-11-01T12:0"])
def test_a_csv_row_cut_off_mid_write_waits_for_the_next_run(tmp_path: Path, sqlite_url: str, cut: str) -> None:
    """The exporter is still writing the last row: it is read whole next run, not skipped now and split later."""
    path = tmp_path / "live.csv"
    whole = '3,"acme, three",2026-11-01T12:00:00Z\n' if '"' in cut else "3,acme three,2026-11-01T12:00:00Z\n"
    path.write_text("id,text,created_at\n1,acme one,2026-11-01T10:00:00Z\n2,acme two,2026-11-01T11:00:00Z\n" + cut)
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = FileListener(_source(path))
    first = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (first.new, first.skipped, first.warnings) == (2, 0, [])
    with path.open("a") as handle:
        handle.write(whole[len(cut):] + "4,acme four,2026-11-01T13:00:00Z")  # a complete last row, no line end
    second = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (second.new, second.skipped, second.warnings) == (2, 0, [])
    with engine.connect() as connection:
        stored = connection.execute(select(mentions_table.c.external_id, mentions_table.c.text)).all()
    third = "acme, three" if '"' in cut else "acme three"
    assert sorted(stored) == [("1", "acme one"), ("2", "acme two"), ("3", third), ("4", "acme four")]


def test_a_csv_field_over_128_kib_is_read_whole(tmp_path: Path) -> None:
    """The csv module's default limit cost the row and read the rest of its field as thousands of bad rows."""
    path = tmp_path / "long.csv"
    long_text = "acme long review " + "very long, text\n" * 15_000  # 240 KB, quoted, over many lines
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "text", "created_at"], ["1", "acme one", "2026-11-01T10:00:00Z"],
                                      ["2", long_text, "2026-11-01T11:00:00Z"], ["3", "acme three", "2026-11-01"]])
    batches = list(FileListener(_source(path)).fetch(None))
    assert [(m.external_id, len(m.text)) for b in batches for m in b.mentions] == [
        ("1", 8), ("2", len(" ".join(long_text.split()))), ("3", 10)]
    assert (sum(b.skipped for b in batches), [w for b in batches for w in b.warnings]) == (0, [])


def test_missing_file_and_bad_mapping_are_clear(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found") as caught:
        list(FileListener(_source(tmp_path / "gone.csv")).fetch(None))
    assert not caught.value.retryable
    path = tmp_path / "a.csv"
    path.write_text("id,content,when\n1,acme,2026-11-01\n")
    with pytest.raises(ConfigError, match=r"no column for text -> 'text'.*\['id', 'content', 'when'\]"):
        list(FileListener(_source(path)).fetch(None))
    with pytest.raises(ConfigError, match="unknown field"):
        FileListener(_source(path, columns={"body": "content"}))
    with pytest.raises(ConfigError, match="set format"):
        FileListener(_source(tmp_path / "data.txt"))


def test_collect_twice_is_idempotent(tmp_path: Path, database_url: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,text,created_at\n" + "".join(f"{i},acme item {i},2026-11-01T00:00:00Z\n" for i in range(50))
                    + "99,no brand here,2026-11-01T00:00:00Z\n")
    engine = open_database(database_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = build_listener(_source(path))
    first = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    mark = get_watermark(engine, "export")
    second = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (first.fetched, first.new, first.unmatched) == (51, 50, 1)
    assert (second.fetched, second.new) == (0, 0)
    assert get_watermark(engine, "export") == mark
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mentions_table)).scalar_one() == 50


# --- acceptance: mappings to absent columns, files with no usable row, encodings ----------------------

def test_a_mapped_column_the_file_lacks_fails_that_source_only(tmp_path: Path, sqlite_url: str) -> None:
    """`columns: {id: missing_column}` used to read as an empty id in every row (hashes stored silently)."""
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("ticket,text,created_at\n1,acme kettle,2026-11-01\n")
    jsonl_path = tmp_path / "a.jsonl"
    jsonl_path.write_text(json.dumps({"ticket": 1, "text": "acme kettle", "created_at": "2026-11-01",
                                      "user": {"name": "x"}}) + "\n")
    for path, columns in ((csv_path, {"id": "missing_column"}),
                          (jsonl_path, {"id": "missing_column", "author": "user.name"})):
        listener = build_listener(FileSource(kind="file", name="bad-map", path=path, columns=columns))
        with pytest.raises(ConfigError, match=r"source 'bad-map'.*no column for id -> 'missing_column'; its columns "
                                              r"are \['ticket', 'text', 'created_at'"):
            collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
        assert get_watermark(engine, "bad-map") is None
    good = collect_source(engine, build_listener(FileSource(kind="file", name="good", path=jsonl_path,
                                                            columns={"id": "ticket", "author": "user.name"})),
                          lambda ms: prepare_mentions(ms, matcher))
    assert (good.status, good.new) == ("ok", 1)
    with engine.connect() as connection:
        assert connection.execute(select(mentions_table.c.source, mentions_table.c.external_id)).all() == [("good", "1")]


def test_a_file_whose_every_row_is_bad_fails_and_is_read_again_once_fixed(tmp_path: Path, sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    path = tmp_path / "x.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": f"acme {i}", "when": "2026-11-01"}) + "\n" for i in range(5)))
    wrong = FileListener(_source(path), batch_size=2)
    with pytest.raises(SourceError, match=r"source 'export': all 5 rows read were skipped, nothing stored "
                                          r"\(row ending at line 1: no created_at \(no key 'created_at'\);") as caught:
        collect_source(engine, wrong, lambda ms: prepare_mentions(ms, matcher))
    assert not caught.value.retryable
    assert caught.value.reason.endswith(  # JSONL has no header to list: the keys its rows hold say what to map
        "check the file and the source's columns (its rows' keys are ['id', 'text', 'when']) and encoding")
    assert get_watermark(engine, "export") is None  # so the rows are read again once fixed
    fixed = collect_source(engine, FileListener(_source(path, columns={"created_at": "when"})),
                           lambda ms: prepare_mentions(ms, matcher))
    assert (fixed.status, fixed.new, fixed.skipped) == ("ok", 5, 0)


def test_bad_rows_before_the_first_good_one_are_counted_not_failed(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    bad = "".join(json.dumps({"id": i, "text": "acme"}) + "\n" for i in range(5))  # no created_at
    path.write_text(bad + json.dumps({"id": 9, "text": "acme", "created_at": "2026-11-01"}) + "\n")
    batches = list(FileListener(_source(path), batch_size=2).fetch(None))
    assert [m.external_id for b in batches for m in b.mentions] == ["9"]
    assert sum(b.skipped for b in batches) == 5 and len([w for b in batches for w in b.warnings]) == 5


def test_csv_in_another_encoding(tmp_path: Path) -> None:
    """cp1252 decodes é and €; a byte cp1252 leaves undefined (0x81) costs its row only, with the reason."""
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,text,created_at\n1,acme café 5€,2026-11-01\n".encode("cp1252")
                     + b"2,acme \x81,2026-11-01\n3,acme ok,2026-11-01\n")
    batches = list(FileListener(_source(path, encoding="cp1252")).fetch(None))
    assert [(m.external_id, m.text) for b in batches for m in b.mentions] == [("1", "acme café 5€"), ("3", "acme ok")]
    assert [w for b in batches for w in b.warnings] == ["line 3: not valid cp1252"]
    as_utf8 = list(FileListener(_source(path)).fetch(None))  # the default reads the é row as bad
    assert [m.external_id for b in as_utf8 for m in b.mentions] == ["3"]
    assert as_utf8[0].warnings == [  # the first says what to set, once
        "line 2: not valid UTF-8 (an export from Excel or a Windows tool is often not UTF-8: set the source's "
        "encoding, e.g. encoding: cp1252)",
        "line 3: not valid UTF-8",
    ]


@pytest.mark.parametrize(("encoding", "problem"), [("latin-9x", "unknown encoding 'latin-9x'"),
                                                   ("utf-16", "encoding 'utf-16' is not supported")])
def test_an_unusable_encoding_is_a_config_error_naming_the_source(encoding: str, problem: str) -> None:
    data = {"brands": [{"name": "Acme", "query": "acme"}],
            "sources": [{"name": "legacy", "kind": "file", "path": "x.csv", "encoding": encoding},
                        {"name": "other", "kind": "file", "path": "y.csv", "encoding": "latin-1"}]}
    with pytest.raises(ConfigError, match=rf"config key 'sources\[0\]\.encoding': source 'legacy': {problem}"):
        parse_config(data)
    lenient = parse_config(data, strict=False)
    assert [s.name for s in lenient.sources] == ["other"]
    assert [name for name, _ in lenient.source_errors] == ["legacy"]


def test_nul_and_lone_surrogates_are_dropped_not_fatal(tmp_path: Path, sqlite_url: str) -> None:
    """A JSON export cut mid-emoji ("\\ud83d") failed its whole batch (UTF-8 cannot encode it).

    PostgreSQL refuses NUL.
    """
    path = tmp_path / "odd.jsonl"
    path.write_text('{"id": "a\\u0000", "text": "acme cut \\ud83d here\\u0007", "created_at": "2026-11-01", '
                    '"author": "bob\\ud83d", "title": "t\\u0000"}\n', encoding="ascii")
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(engine, FileListener(_source(path)),
                             lambda ms: prepare_mentions(ms, matcher, raw_authors=True))
    assert (outcome.status, outcome.new) == ("ok", 1)
    with engine.connect() as connection:
        row = connection.execute(select(mentions_table.c.external_id, mentions_table.c.text, mentions_table.c.title,
                                        mentions_table.c.author)).one()
    assert tuple(row) == ("a", "acme cut here", "t", "bob")


def test_excel_csv_with_semicolons_a_bom_and_crlf(tmp_path: Path) -> None:
    """Excel in a European locale saves "CSV UTF-8" with `;` between fields; it was read as one column."""
    path = tmp_path / "export.csv"
    rows = ["Id;Text;\"Date, time\";Author", '1;"Acme kettle; great ""value""\r\nsecond line";01.11.2026 10:00;Jürgen',
            "2;Acme ok;2026-11-02 11:30:00;Ana"]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    listener = FileListener(_source(path, columns={"id": "Id", "text": "Text", "created_at": "Date, time",
                                                   "author": "Author"}))
    batches = list(listener.fetch(None))
    assert [(m.external_id, m.text, m.created_at.isoformat(), m.author) for b in batches for m in b.mentions] == [
        ("1", 'Acme kettle; great "value" second line', "2026-11-01T10:00:00+00:00", "Jürgen"),
        ("2", "Acme ok", "2026-11-02T11:30:00+00:00", "Ana"),
    ]
    assert list(listener.fetch(batches[-1].watermark)) == []


@pytest.mark.parametrize(("value", "expected"), [
    (1793520000000, "2026-11-01T08:00:00+00:00"),  # Unix milliseconds (JavaScript, Talkwalker)
    ("1793520000000", "2026-11-01T08:00:00+00:00"),
    (1793520000000000, "2026-11-01T08:00:00+00:00"),  # microseconds (BigQuery): were 'out of range'
    ("1793520000000000000", "2026-11-01T08:00:00+00:00"),  # nanoseconds (pandas, Arrow)
    ("Mon, 02 Nov 2026 10:00:00 +0100", "2026-11-02T09:00:00+00:00"),  # RFC 2822
    ("Wed Oct 10 20:19:24 +0000 2018", "2018-10-10T20:19:24+00:00"),  # Twitter's created_at
    ("01.11.2026 10:00", "2026-11-01T10:00:00+00:00"),  # a spreadsheet's day.month.year
    ("2026-11-01 10:00:00 UTC", "2026-11-01T10:00:00+00:00"),  # BigQuery's and Snowflake's exports
    ("2026-11-01 10:00:00.250 UTC", "2026-11-01T10:00:00.250000+00:00"),
    ("2026-11-01T10:00:00GMT", "2026-11-01T10:00:00+00:00"),
    # ISO 8601's basic format: read as Unix time, "20261101" was 1970-08-23 and "20261101100000" the year 2612
    ("20261101", "2026-11-01T00:00:00+00:00"),
    (20261101, "2026-11-01T00:00:00+00:00"),
    ("20261101100000", "2026-11-01T10:00:00+00:00"),
    # a spreadsheet's serial day number (a date cell saved as a number): was refused as a date before 1990
    ("46327", "2026-11-01T00:00:00+00:00"),
    (46327.416666666664, "2026-11-01T10:00:00+00:00"),
    ("46327.5", "2026-11-01T12:00:00+00:00"),
])
def test_dates_other_tools_write(value: object, expected: str) -> None:
    assert parse_time(value).isoformat() == expected


@pytest.mark.parametrize(("value", "expected"), [
    # read by email.utils, these lost their PM (and PST): "Nov 20, 2026 10:00 PM" was stored as 10:00
    ("Nov 20, 2026 10:00 PM", "2026-11-20T22:00:00+00:00"),
    ("Friday, November 20, 2026 10:00 PM", "2026-11-20T22:00:00+00:00"),
    ("Nov 20, 2026 12:30 AM", "2026-11-20T00:30:00+00:00"),
    ("20 Nov 2026 10:00 PM", "2026-11-20T22:00:00+00:00"),
    ("2026-11-20 10:00 PM", "2026-11-20T22:00:00+00:00"),
    ("2026/11/20 10:00:00", "2026-11-20T10:00:00+00:00"),  # year first: slashes cannot be misread
    ("November 20, 2026", "2026-11-20T00:00:00+00:00"),
    ("20-Nov-2026 10:15PM", "2026-11-20T22:15:00+00:00"),  # Meltwater's
    ("20-Nov-2026 22:15", "2026-11-20T22:15:00+00:00"),
    ("2 Nov 2026 10:00 EST", "2026-11-02T15:00:00+00:00"),  # RFC 2822 with a zone it names
])
def test_dates_written_for_people_keep_their_afternoon(value: str, expected: str) -> None:
    assert parse_time(value).isoformat() == expected


def test_a_date_with_a_zone_that_is_not_read_is_refused_not_misread() -> None:
    with pytest.raises(ValueError, match="set the source's date_format"):
        parse_time("20 Nov 2026 10:00 PM PST")  # was 10:00 UTC


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "1970-01-01 00:00:00", 0, "0", "20261399"])
def test_placeholder_dates_are_not_dates(value: object) -> None:
    """A database's 0001-01-01 or Unix time 0 for 'no date' was stored as such, outside every window and week."""
    with pytest.raises(ValueError, match="before 1990: a placeholder|not a date"):
        parse_time(value)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("export.json", b'[\n  {"id": 1, "text": "acme", "created_at": "2026-11-01"},\n  {"id": 2, "te',
     "the JSON array is not valid JSON \\(Unterminated string starting at: line 3 column 13\\); a file still being "
     "written is read next run"),
    ("export.csv", "id\ttext\tcreated_at\r\n1\tacme\t2026-11-01\r\n".encode("utf-16")[:-1],
     "the UTF-16 file is cut short or damaged \\(truncated data\\); a file still being written is read next run"),
])
def test_files_this_reader_cannot_split_say_what_they_are(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    """These were 'all 6 rows read were skipped (not valid JSON ...)' and 'the CSV header is unreadable (...)'."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SourceError, match=message) as caught:
        list(FileListener(_source(path)).fetch(None))
    assert not caught.value.retryable


def test_a_report_export_opening_with_rows_about_the_report(tmp_path: Path) -> None:
    """Brandwatch-style: rows naming the report before the header; a mapping to a column none has names the header."""
    path = tmp_path / "mentions.csv"
    path.write_text('"Brandwatch Report"\n"Report:","Mentions"\n"From:","2026-11-01"\n""\n'
                    '"Query Id","Date","Title","Url","Author","Full Text","Resource Id"\n'
                    '"2001","2026-11-01 10:00:00.0","Acme rocks","https://x.example/1","x","Acme rocks, love it","1723"\n'
                    '"2001","","Acme","https://x.example/2","y","no date here","1724"\n')
    columns = {"id": "Resource Id", "text": "Full Text", "created_at": "Date", "title": "Title", "url": "Url"}
    batches = list(FileListener(_source(path, columns=columns)).fetch(None))
    assert [(m.external_id, m.title, m.text, m.url, m.created_at.isoformat()) for b in batches for m in b.mentions] == [
        ("1723", "Acme rocks", "Acme rocks, love it", "https://x.example/1", "2026-11-01T10:00:00+00:00")]
    assert [w for b in batches for w in b.warnings] == ["row ending at line 7: no created_at (column 'Date' is empty)"]
    with pytest.raises(ConfigError, match=r"no column for id -> 'ResourceId'; its columns are \['Query Id', 'Date'"):
        list(FileListener(_source(path, columns={**columns, "id": "ResourceId"})).fetch(None))


def test_a_row_with_more_fields_than_the_header_is_skipped_not_shifted(tmp_path: Path) -> None:
    """An unquoted comma in the text moved every later value one column on: 'great' was stored as the author."""
    path = tmp_path / "x.csv"
    path.write_text("id,created_at,text,author\n1,2026-11-01,Acme, great,bob\n2,2026-11-01,Acme ok,ann,,\n")
    batches = list(FileListener(_source(path, columns={"author": "author"})).fetch(None))
    assert [(m.external_id, m.text, m.author) for b in batches for m in b.mentions] == [("2", "Acme ok", "ann")]
    assert [w for b in batches for w in b.warnings] == [
        "line 2: 5 fields where the header has 4 (a ',' in a field that is not quoted?)"]


def test_date_format_reads_slashed_dates_as_the_export_meant_them(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text("id,text,created_at\n1,Acme late again,11/02/2026 3:05 PM\n2,Acme fine,2026-11-02T10:00:00Z\n")
    refused = list(FileListener(_source(path)).fetch(None))
    assert [m.external_id for b in refused for m in b.mentions] == ["2"]
    assert "set the source's date_format" in refused[0].warnings[0]
    batches = list(FileListener(_source(path, date_format="%m/%d/%Y %I:%M %p")).fetch(None))
    assert [(m.external_id, m.created_at.isoformat()) for b in batches for m in b.mentions] == [
        ("1", "2026-11-02T15:05:00+00:00")]  # with a format, only that format is read
    assert batches[0].warnings == ["row ending at line 3: created_at '2026-11-02T10:00:00Z' does not match "
                                   "date_format '%m/%d/%Y %I:%M %p' (in column 'created_at')"]


@pytest.mark.parametrize(("title", "header", "row"), [
    ("Acme mentions, all sources, November", "id;text;created_at", "1;Acme, love it;2026-11-01"),
    ("Acme Air mentions export", "id;text;created_at", "1;Acme, love it;2026-11-01"),  # no delimiter at all
    ("Report: Acme, Inc., all mentions", "id\ttext\tcreated_at", "1\tAcme, love it\t2026-11-01"),
])
def test_a_title_line_above_the_header_does_not_decide_its_delimiter(tmp_path: Path, title: str, header: str,
                                                                      row: str) -> None:
    """A report title above a ';' or tab header: the guess from the title (',' or none) failed the source."""
    path = tmp_path / "report.csv"
    path.write_text(f"{title}\r\nGenerated 2026-11-21\r\n\r\n{header}\r\n{row}\r\n")
    batches = list(FileListener(_source(path)).fetch(None))
    assert [(m.external_id, m.text) for b in batches for m in b.mentions] == [("1", "Acme, love it")]
    delimiter = ";" if ";" in header else "\t"
    batches = list(FileListener(_source(path, delimiter=delimiter)).fetch(None))
    assert [(m.external_id, m.text) for b in batches for m in b.mentions] == [("1", "Acme, love it")]
    with pytest.raises(ConfigError, match="no column for text"):  # a delimiter set is the only one tried
        list(FileListener(_source(path, delimiter="|")).fetch(None))


@pytest.mark.parametrize("date_format", ["%Q", "yesterday"])
def test_a_date_format_that_reads_no_date_is_a_config_error(date_format: str) -> None:
    data = {"brands": [{"name": "Acme", "query": "acme"}],
            "sources": [{"name": "us", "kind": "file", "path": "x.csv", "date_format": date_format}]}
    with pytest.raises(ConfigError, match=r"sources\[0\]\.date_format': source 'us': date_format .* is not a strptime"):
        parse_config(data)


def test_a_row_repeated_in_one_file_is_read_once_and_a_reused_id_loses_no_row(tmp_path: Path, sqlite_url: str) -> None:
    """Repeats were fetched and then counted neither new nor seen; a row sharing an id with other text was lost."""
    path = tmp_path / "report.csv"
    path.write_text("Query Id,Full Text,Date\n"
                    "1,acme lost my bag,2026-11-20T10:00:00Z\n"
                    "2,acme crew was lovely,2026-11-20T11:00:00Z\n"
                    "1,acme lost my bag,2026-11-20T10:00:00Z\n"  # the same row again (overlapping exports)
                    "1,acme flight delayed,2026-11-20T12:00:00Z\n"  # another row under a reused id
                    ",acme no id,2026-11-20T13:00:00Z\n"
                    ",acme no id,2026-11-20T13:00:00Z\n")
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = FileListener(_source(path, columns={"id": "Query Id", "text": "Full Text", "created_at": "Date"}),
                            batch_size=2)
    outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (outcome.fetched, outcome.new, outcome.seen, outcome.skipped) == (4, 4, 0, 2)
    assert "row ending at line 4: repeats the row ending at line 2 (same id and text); read once" in outcome.warnings
    assert "row ending at line 7: repeats the row ending at line 6 (same id and text); read once" in outcome.warnings
    assert any(w.startswith("1 row shared its id ('Query Id') with an earlier row of other text (line 5)")
               for w in outcome.warnings)
    with engine.connect() as connection:
        stored = dict(connection.execute(select(mentions_table.c.text, mentions_table.c.external_id)).all())
    assert sorted(stored) == ["acme crew was lovely", "acme flight delayed", "acme lost my bag", "acme no id"]
    assert stored["acme lost my bag"] == "1" and stored["acme flight delayed"].startswith("1~")
    again = collect_source(engine, FileListener(listener.settings), lambda ms: prepare_mentions(ms, matcher))
    assert (again.fetched, again.new) == (0, 0)


def test_a_spreadsheet_hyperlink_formula_is_read_as_its_url(tmp_path: Path) -> None:
    """Excel and Google Sheets export a clickable link cell as =HYPERLINK(...): it was stored as the item's URL."""
    path = tmp_path / "sheet.csv"
    path.write_bytes('Id;Full Text;Date;Url\r\n'
                     '1;Café Acme;2026-11-20T10:00:00Z;"=HYPERLINK(""https://x.com/a/status/1"";""open"")"\r\n'
                     '2;Acme two;2026-11-20T11:00:00Z;"=hyperlink(""https://example.org/?q=""""acme"""""", ""a, b"")"\r\n'
                     '3;Acme three;2026-11-20T12:00:00Z;https://example.org/3\r\n'.encode("cp1252"))
    listener = FileListener(_source(path, encoding="cp1252",
                                    columns={"id": "Id", "text": "Full Text", "created_at": "Date", "url": "Url"}))
    mentions = [m for b in listener.fetch(None) for m in b.mentions]
    assert [(m.text, m.url) for m in mentions] == [
        ("Café Acme", "https://x.com/a/status/1"),
        ("Acme two", 'https://example.org/?q="acme"'),
        ("Acme three", "https://example.org/3"),
    ]


def test_jsonl_objects_followed_by_a_comma_are_read(tmp_path: Path) -> None:
    """A JSON array's elements one per line, or an exporter's `{...},` lines, were each 'not valid JSON'."""
    path = tmp_path / "dump.jsonl"
    path.write_text('{"id": 1, "text": "acme one", "created_at": "2026-11-20T10:00:00Z"},\n'
                    '{"id": 2, "text": "acme two", "created_at": "2026-11-20T11:00:00Z"} , \n'
                    '{"id": 3, "text": "acme three", "created_at": "2026-11-20T12:00:00Z"}\n'
                    '{"id": 4, "text": "acme four"},,\n'
                    '[1, 2],\n')
    batches = list(FileListener(_source(path)).fetch(None))
    assert [m.external_id for b in batches for m in b.mentions] == ["1", "2", "3"]
    assert batches[-1].warnings == ["line 4: not valid JSON (Extra data at column 31)",
                                    "line 5: not valid JSON (Extra data at column 7)"]


def test_csv_columns_are_found_whatever_their_case(tmp_path: Path) -> None:
    """`Text`, `Date` or `URL` in a header failed the source as missing (or, optional, were never read)."""
    path = tmp_path / "sprout.csv"
    path.write_text("ID,Text,Date,Author,URL,Network\n"
                    "7,Acme support was quick,2026-11-20T10:00:00Z,bob,https://x.com/bob/status/7,X\n")
    listener = FileListener(_source(path, columns={"created_at": "date"}))
    [mention] = [m for b in listener.fetch(None) for m in b.mentions]
    assert (mention.external_id, mention.text, mention.author, mention.url) == (
        "7", "Acme support was quick", "bob", "https://x.com/bob/status/7")
    both = tmp_path / "both.csv"  # two columns that differ only in case: the exact name, never a guess
    both.write_text("text,Text,created_at\nexact,other,2026-11-20\n")
    assert [m.text for b in FileListener(_source(both)).fetch(None) for m in b.mentions] == ["exact"]
    ambiguous = tmp_path / "ambiguous.csv"
    ambiguous.write_text("TEXT,Text,created_at\na,b,2026-11-20\n")
    with pytest.raises(ConfigError, match="no column for text -> 'text'"):
        list(FileListener(_source(ambiguous)).fetch(None))


def test_a_gzip_compressed_export_is_read_and_a_longer_one_from_where_it_stopped(tmp_path: Path) -> None:
    """A .csv.gz failed as 'cannot tell the format' (and with format: csv, as 'lines end in a bare CR')."""
    import gzip

    path = tmp_path / "mentions.csv.gz"
    rows = ["id,text,created_at\n"] + [f"{i},acme {i},2026-11-20T1{i}:00:00Z\n" for i in range(4)]
    path.write_bytes(gzip.compress("".join(rows[:3]).encode(), mtime=1))
    listener = FileListener(_source(path))
    first = list(listener.fetch(None))
    assert [m.external_id for b in first for m in b.mentions] == ["0", "1"]
    path.write_bytes(gzip.compress("".join(rows).encode(), mtime=2))  # the exporter's next, longer file
    second = list(listener.fetch(first[-1].watermark))
    assert [m.external_id for b in second for m in b.mentions] == ["2", "3"]
    tsv = tmp_path / "mentions.tsv.gz"
    tsv.write_bytes(gzip.compress(b"id\ttext\tcreated_at\n9\tacme, tab\t2026-11-20\n"))
    assert [m.text for b in FileListener(_source(tsv)).fetch(None) for m in b.mentions] == ["acme, tab"]
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress(b'{"id": 1, "text": "acme", "created_at": "2026-11-20"}\n' * 50)[:-12])
    with pytest.raises(SourceError, match="the gzip file 'cut.jsonl.gz' is cut short or damaged"):
        list(FileListener(_source(cut)).fetch(None))


def test_an_excel_workbook_is_named_as_such(tmp_path: Path) -> None:
    """An .xlsx said 'cannot tell the format; set format: csv', and with format: csv its zip bytes were 'columns'."""
    import zipfile

    book = tmp_path / "Mentions.xlsx"
    with zipfile.ZipFile(book, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ConfigError, match="'Mentions.xlsx' is a workbook or an archive; save the sheet as CSV UTF-8"):
        FileListener(_source(book))
    renamed = tmp_path / "mentions.csv"
    renamed.write_bytes(book.read_bytes())
    with pytest.raises(SourceError, match="the file is an Excel workbook or a zip archive"):
        list(FileListener(_source(renamed)).fetch(None))


def test_a_spreadsheets_empty_rows_are_blank_lines_not_bad_rows(tmp_path: Path) -> None:
    """Excel saves rows it once formatted as ',,,': each was skipped as 'no text', a warning per empty row."""
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"id,text,created_at\r\n1,acme,2026-11-20\r\n,,\r\n ; , \r\n\r\n2,,2026-11-20\r\n,,\r\n")
    batches = list(FileListener(_source(path)).fetch(None))
    assert [m.external_id for b in batches for m in b.mentions] == ["1"]
    assert (sum(b.skipped for b in batches), batches[-1].warnings) == (2, [
        "row ending at line 4: no text (column 'text' is empty)",
        "row ending at line 6: no text (column 'text' is empty)"])


def test_a_json_array_export_is_read_and_a_longer_one_from_where_it_stopped(tmp_path: Path) -> None:
    """A .json export holding one array (Apify, an API dump, indented or not) was refused as not JSON Lines."""
    path = tmp_path / "export.json"
    row = lambda i: {"id": i, "post": {"body": f"Caf\u00e9 acme {i} \U0001f600"},  # noqa: E731
                     "created_at": f"2026-11-20T1{i}:00:00Z"}
    path.write_text("\ufeff" + json.dumps([row(0), row(1), {"id": 9}, "x", row(1)], indent=2), encoding="utf-8")
    listener = FileListener(_source(path, columns={"text": "post.body"}))
    first = list(listener.fetch(None))
    assert [(m.external_id, m.text) for b in first for m in b.mentions] == [
        ("0", "Caf\u00e9 acme 0 \U0001f600"), ("1", "Caf\u00e9 acme 1 \U0001f600")]
    assert first[-1].warnings == ["element 3: no text (no key 'post.body')", "element 4: not a JSON object",
                                  "element 5: repeats the element 2 (same id and text); read once"]
    assert list(listener.fetch(first[-1].watermark)) == []
    path.write_text(json.dumps([row(0), row(1), {"id": 9}, "x", row(1), row(2)]), encoding="utf-8")  # longer, flat
    second = list(listener.fetch(first[-1].watermark))
    assert [m.external_id for b in second for m in b.mentions] == ["2"]
    latin = tmp_path / "latin.json"
    latin.write_bytes('[{"id": 1, "text": "caf\u00e9 acme", "created_at": "2026-11-20"}]'.encode("cp1252"))
    assert [m.text for b in FileListener(_source(latin, encoding="cp1252")).fetch(None) for m in b.mentions] == [
        "caf\u00e9 acme"]


def test_json_objects_written_over_several_lines_are_read_one_row_each(tmp_path: Path) -> None:
    """`jq '.[]'` without -c writes each object over lines: every line was a bad row ('all 15 rows ... skipped')."""
    path = tmp_path / "posts.jsonl"
    rows = [{"id": i, "text": f"acme {i}", "created_at": "2026-11-20T10:00:00Z"} for i in range(3)]
    path.write_text("".join(json.dumps(row, indent=2) + "\n" for row in rows[:2]))
    listener = FileListener(_source(path))
    first = list(listener.fetch(None))
    assert [m.text for b in first for m in b.mentions] == ["acme 0", "acme 1"]
    path.write_text("".join(json.dumps(row, indent=2) + "\n" for row in rows) + '{\n  "id": 9\n}\n')
    second = list(listener.fetch(first[-1].watermark))
    assert [m.text for b in second for m in b.mentions] == ["acme 2"]
    assert second[-1].warnings == ["object 4: no text (no key 'text')"]


def test_a_json_document_with_its_rows_under_a_key_says_how_to_extract_them(tmp_path: Path) -> None:
    """An API dump `{"data": [...], "meta": ...}` failed with only 'no text' and its top-level keys."""
    path = tmp_path / "dump.json"
    rows = [{"id": i, "text": f"acme {i}", "created_at": "2026-11-20T10:00:00Z"} for i in range(3)]
    path.write_text(json.dumps({"meta": {"count": 3}, "data": rows}, indent=2))
    with pytest.raises(SourceError, match=r"its rows' keys are \['meta', 'data'\]; 'data' holds a list of 3 objects: "
                                          r"if those are the rows, extract them, e\.g\. jq -c '\.data\[\]'"):
        list(FileListener(_source(path)).fetch(None))


def test_a_rows_source_kind_is_read_whatever_its_case(tmp_path: Path) -> None:
    """An export's 'Review' or 'NEWS' fell back to the source's default kind, silently."""
    path = tmp_path / "kinds.csv"
    path.write_text("id,text,created_at,Type\n1,acme,2026-11-20,Review\n2,acme,2026-11-20,NEWS\n3,acme,2026-11-20,blog\n")
    listener = FileListener(_source(path, source_kind="social", columns={"source_kind": "Type"}))
    assert [m.source_kind for b in listener.fetch(None) for m in b.mentions] == ["review", "news", "social"]


STRAY_AT_LINE_3 = ("line 3: a '\"' opens a field that its row never closes (a stray quote in the export?); read as "
                   "written, the quote kept in its field, and the lines after it as rows of their own")


@pytest.mark.parametrize("later", [
    '3,"acme three",2026-11-20\n',  # the next row's own quoted field: its opening quote closed row 2's
    '3,"acme ""three""",2026-11-20\n',
    '3,"acme three, with a comma",2026-11-20\n',
    '3,acme said "three",2026-11-20\n',  # a quote inside the next row's text
])
def test_a_stray_quote_never_takes_the_next_row_with_it(tmp_path: Path, later: str) -> None:
    """A stray quote whose run stopped at the next row's quote lost that row without a word: row 2's text became
    'acme 12 inch screen,2026-11-20 3,acme ...' and row 3 was gone (or row 2 was skipped as 4 fields wide, and
    row 3 with it)."""
    path = tmp_path / "export.csv"
    path.write_text('id,text,created_at\n1,acme one,2026-11-20\n2,"acme 12 inch screen,2026-11-20\n'
                    + later + "4,acme four,2026-11-20\n")
    batches = list(FileListener(_source(path)).fetch(None))
    rows = {m.external_id: m.text for b in batches for m in b.mentions}
    assert list(rows) == ["1", "2", "3", "4"] and rows["2"] == '"acme 12 inch screen'
    assert rows["3"] == next(csv.reader([later]))[1]  # as the csv module reads that row alone
    assert [w for b in batches for w in b.warnings] == [STRAY_AT_LINE_3]
    assert sum(b.skipped for b in batches) == 0


def test_a_stray_quote_in_a_rows_last_field_keeps_the_next_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('id,text,created_at,author\n1,acme one,2026-11-20,ann\n2,acme two,2026-11-20,"bob\n'
                    '3,acme three,2026-11-20,"carl"\n4,acme four,2026-11-20,dee\n')
    batches = list(FileListener(_source(path)).fetch(None))
    assert [(m.external_id, m.text, m.author) for b in batches for m in b.mentions] == [
        ("1", "acme one", "ann"), ("2", "acme two", '"bob'), ("3", "acme three", "carl"), ("4", "acme four", "dee")]


def test_a_quoted_text_over_lines_with_a_bare_quote_inside_stays_one_row(tmp_path: Path) -> None:
    """A quote inside a field spanning lines, not doubled, closes it early; no line of it reads as a row, so the
    record is read as before (the csv module's reading), not split."""
    path = tmp_path / "export.csv"
    path.write_text('id,text,created_at\n1,"acme review\nhe said "great" ok",2026-11-20\n2,acme two,2026-11-20\n')
    batches = list(FileListener(_source(path)).fetch(None))
    assert [(m.external_id, m.text) for b in batches for m in b.mentions] == [
        ("1", 'acme review he said great" ok"'), ("2", "acme two")]
    assert [w for b in batches for w in b.warnings] == []


def test_a_stray_quote_in_a_row_that_cannot_be_read_as_written_is_skipped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('id,text,created_at\n1,acme one,2026-11-20\n2,"acme 12 inch screen\n'
                    '3,"acme three",2026-11-20\n')  # row 2 has no date as written
    batches = list(FileListener(_source(path)).fetch(None))
    assert [m.external_id for b in batches for m in b.mentions] == ["1", "3"]
    assert [w for b in batches for w in b.warnings] == [
        "line 3: a quote opened in this row runs on to line 4, taking in lines that read as rows (a stray '\"' in "
        "the export?); this row is skipped, the lines after it are read as rows"]


def test_rows_a_stray_quote_took_into_one_field_are_read_as_rows(tmp_path: Path, sqlite_url: str) -> None:
    """`2,"12 inch screen,...` made the csv module read on to the next quote: rows 3 to 5 became row 2's text.
    Row 2 itself is read as written, its quote kept (it was skipped)."""
    path = tmp_path / "export.csv"
    path.write_text("id,text,created_at\n"
                    "1,acme one,2026-11-20\n"
                    '2,"acme 12 inch screen,2026-11-20\n'
                    "3,acme three,2026-11-20\n"
                    "4,acme four,2026-11-20\n"
                    '5,"acme five",2026-11-20\n'
                    '6,"acme review\nfirst paragraph, 7 stars\nlast 8,9",2026-11-20\n')  # paragraphs stay text
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(engine, FileListener(_source(path)), lambda ms: prepare_mentions(ms, matcher))
    assert (outcome.new, outcome.skipped) == (6, 0)
    assert outcome.warnings == [STRAY_AT_LINE_3]
    with engine.connect() as connection:
        stored = dict(connection.execute(select(mentions_table.c.external_id, mentions_table.c.text)).all())
    assert stored == {"1": "acme one", "2": '"acme 12 inch screen', "3": "acme three", "4": "acme four",
                      "5": "acme five",
                      "6": "acme review first paragraph, 7 stars last 8,9"}


def test_a_stray_quote_in_the_last_row_but_one_does_not_take_the_last_row(tmp_path: Path) -> None:
    """No quote closed the field, so the file's last line was taken for the one closing it: the last row was
    lost without a word, the warning saying only that row 2 had no created_at."""
    path = tmp_path / "export.csv"
    path.write_text("id,text,created_at\n1,acme one,2026-11-20\n"
                    '2,"acme 12 inch screen,2026-11-20\n3,acme three,2026-11-20\n')
    batches = list(FileListener(_source(path)).fetch(None))
    assert [(m.external_id, m.text) for b in batches for m in b.mentions] == [
        ("1", "acme one"), ("2", '"acme 12 inch screen'), ("3", "acme three")]
    assert [w for b in batches for w in b.warnings] == [STRAY_AT_LINE_3]
    path.write_text("id,text,created_at\n1,acme one,2026-11-20\n"  # a last row still being written waits
                    '2,"acme 12 inch screen,2026-11-20\n3,acme thr')
    assert [m.external_id for b in FileListener(_source(path)).fetch(None) for m in b.mentions] == ["1"]


@pytest.mark.parametrize("name", ["export.csv", "export.json"])
def test_latin_1_reads_a_windows_exports_quotes_and_euro_as_cp1252_does(tmp_path: Path, name: str) -> None:
    """`encoding: latin-1`, as a Windows tool's export is often said to be, stored its bytes 0x80-0x9F as C1
    control characters: '\\x93acme\\x94 costs 5\\x80', where browsers and the feed reader read “acme” and 5€."""
    path = tmp_path / name
    text = "\u201cacme\u201d caf\u00e9 \u2013 costs 5\u20ac"
    rows = ("id,text,created_at\n1," + text + ",2026-11-20\n" if name.endswith(".csv")
            else '[{"id": "1", "text": "' + text + '", "created_at": "2026-11-20"}]\n')
    path.write_bytes(rows.encode("cp1252"))
    for encoding in ("latin-1", "ISO-8859-1", "cp1252"):
        read = [m.text for b in FileListener(_source(path, encoding=encoding)).fetch(None) for m in b.mentions]
        assert read == [text], encoding


def test_a_utf8_byte_order_mark_wins_over_the_sources_encoding(tmp_path: Path) -> None:
    """With encoding: cp1252, Excel's 'CSV UTF-8' lost its id column to 'ï»¿id' and stored 'cafÃ©'."""
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffid;text;created_at\r\n1;café acme;2026-11-20\r\n".encode())
    listener = FileListener(_source(path, encoding="cp1252"))
    assert [(m.external_id, m.text) for b in listener.fetch(None) for m in b.mentions] == [("1", "café acme")]
    path.write_bytes("id;text;created_at\r\n2;caf\xe9 acme;2026-11-20\r\n".encode("cp1252"))  # without: as configured
    assert [(m.external_id, m.text) for b in listener.fetch(None) for m in b.mentions] == [("2", "café acme")]


def test_a_brand_column_keeps_rows_whose_text_does_not_name_the_brand(tmp_path: Path, sqlite_url: str) -> None:
    """A listening tool's rows matched on a hashtag or an image, or a brand's own reviews, hold no brand name:
    all were dropped as unmatched. A mapped brand column naming a configured brand keeps them."""
    path = tmp_path / "brandwatch.csv"
    path.write_text("Resource Id,Full Text,Date,Query Name\n"
                    "1,lost my bag again,2026-11-20T10:00:00Z,acme air\n"
                    "2,both were late,2026-11-20T11:00:00Z,Acme Air; Globex\n"
                    "3,nothing about anyone,2026-11-20T12:00:00Z,Some Other Query\n"
                    "4,Globex was fine,2026-11-20T13:00:00Z,\n")
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme Air", query='"acme air"'), Brand(name="Globex", query="globex")])
    listener = FileListener(_source(path, columns={"id": "Resource Id", "text": "Full Text", "created_at": "Date",
                                                   "brand": "Query Name"}))
    kept = {m.external_id: m.brands for b in listener.fetch(None) for m in prepare_mentions(b.mentions, matcher)}
    assert kept == {"1": ["Acme Air"], "2": ["Acme Air", "Globex"], "4": ["Globex"]}
    outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
    assert (outcome.new, outcome.unmatched) == (3, 1)


def test_a_utf16_export_is_read_and_a_longer_one_from_where_it_stopped(tmp_path: Path) -> None:
    """Meltwater's export and Excel's 'Unicode Text' are UTF-16, tab-separated: they were refused."""
    path = tmp_path / "meltwater.csv"
    rows = ["Date\tHeadline\tHit Sentence\tURL\r\n",
            "20-Nov-2026 10:15AM\tAcme\tCafé acme 😀\thttps://a.example/1\r\n",
            "20-Nov-2026 11:15AM\tAcme\tacme again\thttps://a.example/2\r\n"]
    path.write_bytes("".join(rows[:2]).encode("utf-16"))
    columns = {"id": "URL", "text": "Hit Sentence", "created_at": "Date", "title": "Headline"}
    listener = FileListener(_source(path, date_format="%d-%b-%Y %I:%M%p", encoding="cp1252", columns=columns))
    first = list(listener.fetch(None))
    assert [(m.external_id, m.text, m.created_at.isoformat()) for b in first for m in b.mentions] == [
        ("https://a.example/1", "Café acme 😀", "2026-11-20T10:15:00+00:00")]
    path.write_bytes("".join(rows).encode("utf-16"))
    second = list(listener.fetch(first[-1].watermark))
    assert [m.external_id for b in second for m in b.mentions] == ["https://a.example/2"]


def test_a_header_repeated_by_joined_exports_is_no_row(tmp_path: Path) -> None:
    """`cat monday.csv tuesday.csv`: the second header was skipped as a bad row ('created_at' is not a date)."""
    path = tmp_path / "joined.csv"
    path.write_bytes("\ufeffid,text,created_at\r\n1,acme one,2026-11-20\r\n".encode()
                     + "\ufeffid,text,created_at\r\n2,acme two,2026-11-21\r\n".encode())
    batches = list(FileListener(_source(path)).fetch(None))
    assert [m.external_id for b in batches for m in b.mentions] == ["1", "2"]
    assert (sum(b.skipped for b in batches), [w for b in batches for w in b.warnings]) == (0, [])


def test_an_exports_text_keeps_what_people_typed_and_reads_real_html(tmp_path: Path) -> None:
    """Read as HTML, a tweet's '<sigh>' and '<b>' vanished as unknown tags."""
    path = tmp_path / "posts.csv"
    path.write_text('id,text,created_at,title\n'
                    '1,I <3 Acme <sigh> so good,2026-11-20,<b> is bold & Acme\n'
                    '2,"<p>Acme <b>rocks</b></p><br>really",2026-11-20,\n'
                    '3,acme price < 5 &amp; named me <script>x</script>,2026-11-20,\n')
    mentions = [m for b in FileListener(_source(path)).fetch(None) for m in b.mentions]
    assert [(m.text, m.title) for m in mentions] == [
        ("I <3 Acme <sigh> so good", "<b> is bold & Acme"),
        ("Acme rocks really", None),
        ("acme price < 5 & named me <script>x</script>", None),
    ]


def test_a_row_dated_over_a_day_ahead_is_skipped_as_misread(tmp_path: Path) -> None:
    """A month-first date_format on day-first dates read 03/12 as 12 March of next year: stored as such."""
    now = datetime.now(timezone.utc)
    soon, later = now.strftime("%m/%d/%Y %H:%M"), (now + timedelta(days=400)).strftime("%m/%d/%Y %H:%M")
    path = tmp_path / "export.csv"
    path.write_text(f"id,text,created_at\n1,acme now,{soon}\n2,acme later,{later}\n")
    batches = list(FileListener(_source(path, date_format="%m/%d/%Y %H:%M")).fetch(None))
    assert [m.external_id for b in batches for m in b.mentions] == ["1"]
    assert batches[-1].warnings == [f"row ending at line 3: created_at {later!r} is "
                                    f"{datetime.strptime(later, '%m/%d/%Y %H:%M'):%Y-%m-%d %H:%M} UTC, over a day "
                                    "ahead (date_format reads months as days?)"]


def test_a_date_held_in_an_object_says_which_field_inside_to_map(tmp_path: Path) -> None:
    """mongoexport writes {"$date": ...}: the row was skipped as "created_at {'$date': ...} is not a date"."""
    path = tmp_path / "mongo.jsonl"
    path.write_text('{"_id": {"$oid": "65a1"}, "text": "acme", "created_at": {"$date": "2026-11-20T10:00:00Z"}}\n'
                    '{"_id": {"$oid": "65a2"}, "text": "acme 2", "created_at": {"$date": "2026-11-20T11:00:00Z"}}\n')
    with pytest.raises(SourceError, match=r"created_at \('created_at'\) is a JSON object, not text; map the field "
                                          r"inside it in the source's columns, e\.g\. created_at: created_at\.\$date"):
        list(FileListener(_source(path, columns={"id": "_id.$oid"})).fetch(None))
    mapped = FileListener(_source(path, columns={"id": "_id.$oid", "created_at": "created_at.$date"}))
    assert [(m.external_id, m.created_at.hour) for b in mapped.fetch(None) for m in b.mentions] == [
        ("65a1", 10), ("65a2", 11)]


def test_a_csv_read_as_jsonl_says_to_check_the_format(tmp_path: Path) -> None:
    """format: jsonl on a CSV said only that every line was not valid JSON."""
    path = tmp_path / "export.json"  # a CSV under a .json name: format auto reads JSON Lines
    path.write_text("id,text,created_at\n1,acme,2026-11-20\n")
    with pytest.raises(SourceError, match=r"columns and format \(no line holds a JSON object: is it CSV\? "
                                          r"format: csv\) and encoding"):
        list(FileListener(_source(path)).fetch(None))
    assert [m.text for b in FileListener(_source(path, format="csv")).fetch(None) for m in b.mentions] == ["acme"]
