"""A big export streams: rows are stored batch by batch while the file is still being read, and the
language model collection loaded is gone before the classifier loads (a 300,000-row first import peaked
at 1.18 GB, the two models side by side)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from journeywatch.domain import Mention
from journeywatch.flows.steps import collect_source, watching_classification
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners import files as files_module
from journeywatch.listeners import language
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions

ROWS = 1000
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def _export(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "created_at"])
        for n in range(rows):
            brand = "acme" if n % 2 else "globex"  # half match: the other half is read and dropped
            writer.writerow([f"p{n}", f"{brand} lost my bag number {n}, nobody called back", (T0 + timedelta(
                minutes=n)).isoformat()])


def _stored(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(mentions)).scalar_one()


def test_rows_are_stored_while_the_rest_of_the_export_is_still_unread(
        tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each batch is stored before the next one is read: a reader that took in the whole file (or a
    `list` of its rows, or of its mentions) before storing fails here, whatever the machine's speed."""
    path = tmp_path / "export.csv"
    _export(path, ROWS)
    lines_read = 0
    real_lines = files_module.universal_lines

    def counted(handle: IO[bytes]) -> Iterator[bytes]:
        nonlocal lines_read
        for line in real_lines(handle):
            lines_read += 1
            yield line

    monkeypatch.setattr(files_module, "universal_lines", counted)
    engine = open_database(sqlite_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    seen_at_prepare: list[tuple[int, int]] = []  # (lines read, rows stored) as each batch comes to be stored

    def prepare(batch: list[Mention]) -> list[Mention]:
        seen_at_prepare.append((lines_read, _stored(engine)))
        return prepare_mentions(batch, matcher)

    listener = FileListener(FileSource(kind="file", name="export", path=path), batch_size=100)
    outcome = collect_source(engine, listener, prepare)

    assert (outcome.fetched, outcome.new, outcome.unmatched) == (ROWS, ROWS // 2, ROWS // 2)
    assert len(seen_at_prepare) == ROWS // 100
    first_lines, first_stored = seen_at_prepare[0]
    assert first_stored == 0 and first_lines <= 100 + 3  # the header (read twice: to find it, then to start after it), the batch,
    # and a line ahead at most
    for (lines, stored), (next_lines, next_stored) in zip(seen_at_prepare, seen_at_prepare[1:]):
        assert next_lines > lines  # read on only after the batch before was handed over...
        assert next_stored == stored + 50  # ...and stored, its 50 matching rows, before the next is read


def test_the_language_model_is_not_held_while_the_run_classifies(prefect_harness: None, tmp_path: Path,
                                                                  sqlite_url: str) -> None:
    from journeywatch.flows.monitor import monitor_flow

    _export(tmp_path / "export.csv", 40)
    config = tmp_path / "journeywatch.yaml"
    config.write_text(f"database: {sqlite_url}\nbrands: [{{name: Acme, query: acme}}]\n"
                      "sources: [{name: export, kind: file, path: export.csv}]\nalerts: {enabled: false}\n",
                      encoding="utf-8")
    loaded_while_classifying: list[bool] = []
    with watching_classification(lambda done, total: loaded_while_classifying.append(language.model_loaded())):
        summary = monitor_flow(str(config))
    assert summary["sources"][0]["new"] == 20 and summary["classification"]["classified"] == 20
    assert loaded_while_classifying and not any(loaded_while_classifying)
    engine = open_database(sqlite_url)
    with engine.connect() as connection:  # collection did identify the languages before letting the model go
        assert set(connection.execute(select(mentions.c.lang_supported)).scalars()) == {True}
    assert language.detect_language("Merci beaucoup pour tout").code == "fr"  # loaded again when needed

