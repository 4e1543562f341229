"""A long id (480 to 512 characters) that two rows of other text share: the re-identified id must fit the column."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from journeywatch.flows.steps import collect_source
from journeywatch.listeners import BrandMatcher, prepare_mentions
from journeywatch.listeners.files import FileListener
from journeywatch.settings import Brand, FileSource
from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions as mentions_table


def test_a_shared_id_of_500_characters_gets_a_stored_id_that_fits(tmp_path: Path, database_url: str) -> None:
    """The id plus '~' and the text's hash was 513 characters: PostgreSQL refused the batch (varchar(512))."""
    shared = "https://reviews.example.com/p?" + "x" * 470  # 500 characters, as a review export's product page id
    path = tmp_path / "reviews.csv"
    path.write_text(f"id,text,created_at\n{shared},Acme kettle is great,2026-11-20T10:00:00Z\n"
                    f"{shared},Acme kettle leaks,2026-11-20T11:00:00Z\n")
    engine = open_database(database_url)
    matcher = BrandMatcher([Brand(name="Acme", query="acme")])
    outcome = collect_source(engine, FileListener(FileSource(kind="file", name="export", path=path)),
                             lambda ms: prepare_mentions(ms, matcher))
    assert outcome.new == 2
    with engine.connect() as connection:
        identities = connection.execute(select(mentions_table.c.external_id)).scalars().all()
    assert shared in identities and all(len(identity) <= 512 for identity in identities)
