"""Storing mentions idempotently, with the source's watermark in the same transaction.

The watermark moves only when the mentions it covers are committed with it,
so a crash between fetch and store loses nothing: the next run fetches again
and the upsert drops what is already there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine, select, tuple_

from journeywatch.domain import Mention

from .dialect import insert_for
from .tables import mention_brands, mentions, watermarks

_CHUNK = 500  # rows per IN (...) lookup: well under SQLite's variable limit


@dataclass(frozen=True, slots=True)
class StoreResult:
    """How a batch landed: `new` rows added, `seen` already stored before."""

    new: int
    seen: int


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _mention_row(mention: Mention, fetched_at: datetime) -> dict[str, Any]:
    return {
        "source": mention.source,
        "external_id": mention.external_id,
        "source_kind": mention.source_kind,
        "title": mention.title,
        "text": mention.text,
        "url": mention.url,
        "author": mention.author,
        "parent_id": mention.parent_id,
        "created_at": mention.created_at,
        "fetched_at": fetched_at,
        "lang": mention.lang,
        "lang_supported": mention.lang_supported,
        "nsfw": mention.nsfw,
        "stickied": mention.stickied,
    }


def _ids_by_key(connection: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for chunk in _chunks(keys):
        query = select(mentions.c.source, mentions.c.external_id, mentions.c.id).where(
            tuple_(mentions.c.source, mentions.c.external_id).in_(chunk)
        )
        found.update({(s, e): i for s, e, i in connection.execute(query)})
    return found


def _unique(batch: Iterable[Mention]) -> list[Mention]:
    """Drop repeats inside one batch (a feed listing an entry twice), keeping the first."""
    kept: dict[tuple[str, str], Mention] = {}
    for mention in batch:
        kept.setdefault((mention.source, mention.external_id), mention)
    return list(kept.values())


def insert_mentions(connection: Connection, batch: Iterable[Mention]) -> StoreResult:
    """Insert what is new in `batch` and link every item to its brands; already-stored items are left as they are."""
    unique = _unique(batch)
    if not unique:
        return StoreResult(new=0, seen=0)
    keys = [(m.source, m.external_id) for m in unique]
    before = _ids_by_key(connection, keys)
    fresh = [m for m in unique if (m.source, m.external_id) not in before]
    now = datetime.now(timezone.utc)
    if fresh:
        insert = insert_for(connection, mentions)
        connection.execute(
            insert.on_conflict_do_nothing(index_elements=["source", "external_id"]),
            [_mention_row(m, now) for m in fresh],
        )
    ids = {**before, **_ids_by_key(connection, [(m.source, m.external_id) for m in fresh])}
    links = [
        {"mention_id": ids[(m.source, m.external_id)], "brand": brand, "created_at": m.created_at}
        for m in unique
        for brand in dict.fromkeys(m.brands)
    ]
    if links:
        insert = insert_for(connection, mention_brands)
        connection.execute(insert.on_conflict_do_nothing(index_elements=["mention_id", "brand"]), links)
    return StoreResult(new=len(fresh), seen=len(unique) - len(fresh))


def set_watermark(connection: Connection, source: str, value: dict[str, Any]) -> None:
    insert = insert_for(connection, watermarks)
    row = {"source": source, "value": value, "updated_at": datetime.now(timezone.utc)}
    connection.execute(
        insert.values(row).on_conflict_do_update(
            index_elements=["source"], set_={"value": row["value"], "updated_at": row["updated_at"]}
        )
    )


def store_batch(
    engine: Engine, batch: Iterable[Mention], source: str | None = None, watermark: dict[str, Any] | None = None
) -> StoreResult:
    """Commit a batch of mentions and, in the same transaction, the watermark that covers it."""
    with engine.begin() as connection:
        result = insert_mentions(connection, batch)
        if source is not None and watermark is not None:
            set_watermark(connection, source, watermark)
    return result


def get_watermark(engine: Engine, source: str) -> dict[str, Any] | None:
    """The last committed watermark of `source`, or None before its first run."""
    with engine.connect() as connection:
        value = connection.execute(select(watermarks.c.value).where(watermarks.c.source == source)).scalar()
    return value
