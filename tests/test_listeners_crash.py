"""A collecting process killed (SIGKILL) after its first committed batch; the rerun's counts are exact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, build_listener, prepare_mentions
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import create_database_engine, get_watermark, open_database
from journeywatch.storage.tables import mention_brands, mentions

ROWS = 10_000
CHILD = """
import sys, time
from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import open_database

engine = open_database(sys.argv[1])
matcher = BrandMatcher([Brand(name="Acme", query="acme")])
listener = FileListener(FileSource(kind="file", name="export", path=sys.argv[2]), batch_size=500)

def slow_prepare(batch):
    time.sleep(0.2)  # a slow enrichment step, so the kill lands mid-run
    return prepare_mentions(batch, matcher)

collect_source(engine, listener, slow_prepare)
print("finished")
"""


def _count(url: str, table: object) -> int:
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
    finally:
        engine.dispose()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_after_first_batch_then_rerun_gives_exact_counts(tmp_path: Path, sqlite_url: str) -> None:
    export = tmp_path / "export.jsonl"
    with export.open("w", encoding="utf-8") as handle:
        for i in range(ROWS):
            brand = "acme" if i % 4 else "nobody"  # a quarter match no brand and are never stored
            handle.write(json.dumps({"id": f"r{i}", "text": f"{brand} item {i}",
                                     "created_at": f"2026-11-0{1 + i % 9}T10:00:00Z"}) + "\n")
    expected = sum(1 for i in range(ROWS) if i % 4)
    open_database(sqlite_url)  # migrate before the child starts, so the poll below sees the tables
    child = subprocess.Popen([sys.executable, "-c", CHILD, sqlite_url, str(export)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    deadline = time.monotonic() + 60
    try:
        while _count(sqlite_url, mentions) == 0:
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else "child exited"
            assert time.monotonic() < deadline, "the child committed nothing in 60 s"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    stored_at_kill = _count(sqlite_url, mentions)
    assert 0 < stored_at_kill < expected

    engine = open_database(sqlite_url)
    mark = get_watermark(engine, "export")
    assert mark is not None and 0 < mark["rows"] < ROWS
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = build_listener(FileSource(kind="file", name="export", path=export))
    outcome = collect_source(engine, listener, lambda batch: prepare_mentions(batch, matcher))
    with engine.connect() as connection:
        ids = list(connection.execute(select(mentions.c.external_id)).scalars())
    assert len(ids) == len(set(ids)) == expected
    assert _count(sqlite_url, mention_brands) == expected
    assert outcome.new == expected - stored_at_kill
    assert outcome.fetched == ROWS - mark["rows"]  # the rerun read only the rows after the committed watermark
    assert get_watermark(engine, "export")["rows"] == ROWS
