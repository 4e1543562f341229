"""File exports whose id column holds values longer than the stored id (512 characters): long article URLs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions as mentions_table

_PREFIX = "https://news.example.com/r?" + "q=acme&" * 80  # 587 characters, shared by both articles


def test_two_long_ids_sharing_their_first_512_characters_are_two_items(tmp_path: Path, database_url: str) -> None:
    """Ids cut to 512 characters made the second article an edit of the first: its text replaced the first's."""
    path = tmp_path / "mentions.csv"
    path.write_text(f"id,text,created_at\n{_PREFIX}a=1,Acme kettle: the first article,2026-11-20T10:00:00Z\n")
    engine = open_database(database_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    listener = FileListener(FileSource(kind="file", name="export", path=path))

    def collect() -> tuple[int, int]:
        outcome = collect_source(engine, listener, lambda ms: prepare_mentions(ms, matcher))
        return outcome.new, outcome.seen

    assert collect() == (1, 0)
    with path.open("a") as handle:
        handle.write(f"{_PREFIX}a=2,Acme kettle: another article,2026-11-21T10:00:00Z\n")
    assert collect() == (1, 0)
    with engine.connect() as connection:
        rows = connection.execute(select(mentions_table.c.external_id, mentions_table.c.text)).all()
    assert sorted(text for _, text in rows) == ["Acme kettle: another article", "Acme kettle: the first article"]
    assert all(len(identity) <= 512 for identity, _ in rows)
