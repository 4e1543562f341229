"""Ctrl-C in the middle of a big file source: the run was recorded as interrupted at once, but the source's thread
read the other 28,000 mentions of a 300,000-row export before the command ended (12 s; a bigger file, minutes)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from journeywatch.flows import steps
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import get_watermark, open_database
from journeywatch.storage.tables import mentions


def test_a_run_stopping_ends_its_collection_after_the_batch_in_hand_and_the_next_run_reads_on(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("id,text,created_at\n" + "".join(
        f"m{n},Acme lost bag {n},2026-11-20T10:00:00Z\n" for n in range(300)), encoding="utf-8")
    engine = open_database(f"sqlite:///{tmp_path / 'jw.db'}")
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = FileListener(FileSource(name="export", kind="file", path=str(export)), batch_size=100)

    def prepare_then_ctrl_c(batch):  # the first batch is in hand when the run is told to stop
        steps.stop_collecting()
        return prepare_mentions(batch, matcher, False)

    try:
        outcome = steps.collect_source(engine, listener, prepare_then_ctrl_c)
    finally:
        steps.collecting_again()
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mentions)).scalar() == 100
    assert outcome.new == 100
    assert get_watermark(engine, "export")["rows"] == 100  # what was stored, and no more, is covered

    rest = steps.collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher, False))
    assert (rest.new, rest.seen) == (200, 0)
    with engine.connect() as connection:
        ids = connection.execute(select(mentions.c.external_id)).scalars().all()
    assert sorted(ids) == sorted(f"m{n}" for n in range(300))
