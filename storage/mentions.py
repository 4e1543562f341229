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

from sqlalchemy import Connection, Engine, select

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


_MENTION_COLUMNS = ("source", "external_id", "source_kind", "title", "text", "url", "author", "parent_id",
                    "created_at", "fetched_at", "lang", "lang_supported", "nsfw", "stickied")


# --- the bulk path ------------------------------------------------------------------------------
# Ingest writes tens of thousands of rows a run. SQLAlchemy's executemany processes every parameter
# of every row in Python (bind processors, the UTC TypeDecorator, SQLite's datetime formatting),
# which measured at over half of ingest time (benchmarks/ingest.py). The two bulk INSERTs below go
# to the driver's executemany with values already in the form the column types would produce; the
# SQL is the same ON CONFLICT DO NOTHING on both dialects, and reads still go through the tables.


def _time_for(dialect: str) -> Any:
    """How a UTC-aware datetime is bound: the string SQLAlchemy's SQLite DATETIME stores, or naive UTC."""
    def sqlite_time(value: datetime) -> str:
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")

    def naive_utc(value: datetime) -> datetime:
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    return sqlite_time if dialect == "sqlite" else naive_utc


def _marks(connection: Connection, count: int) -> str:
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def _bulk_insert(connection: Connection, table: str, columns: Sequence[str], conflict: Sequence[str],
                 rows: list[tuple[Any, ...]]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING through the driver's executemany; returns the rows inserted."""
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(connection, len(columns))}) "
           f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING")
    return int(connection.exec_driver_sql(sql, rows).rowcount)


def _ids_by_key(connection: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Row ids of stored (source, external_id) pairs, asked source by source (one index range each)."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    found: dict[tuple[str, str], int] = {}
    for source, external_ids in by_source.items():
        for chunk in _chunks(external_ids):
            sql = (f"SELECT external_id, id FROM {mentions.name} WHERE source = {_marks(connection, 1)} "
                   f"AND external_id IN ({_marks(connection, len(chunk))})")
            found.update({(source, e): i for e, i in connection.exec_driver_sql(sql, (source, *chunk))})
    return found


def _unique(batch: Iterable[Mention]) -> list[Mention]:
    """Drop repeats inside one batch (a feed listing an entry twice), keeping the first."""
    kept: dict[tuple[str, str], Mention] = {}
    for mention in batch:
        kept.setdefault((mention.source, mention.external_id), mention)
    return list(kept.values())


def insert_mentions(connection: Connection, batch: Iterable[Mention]) -> StoreResult:
    """Insert what is new in `batch` and link every item to its brands; already-stored items are left as they are.

    The INSERT skips stored keys itself (ON CONFLICT DO NOTHING), and the
    driver's row count says how many were new; one lookup then finds the ids
    the brand links need.
    """
    unique = _unique(batch)
    if not unique:
        return StoreResult(new=0, seen=0)
    as_time = _time_for(connection.dialect.name)
    now = as_time(datetime.now(timezone.utc))
    created = [as_time(m.created_at) for m in unique]
    rows = [
        (m.source, m.external_id, m.source_kind, m.title, m.text, m.url, m.author, m.parent_id,
         when, now, m.lang, bool(m.lang_supported), bool(m.nsfw), bool(m.stickied))
        for m, when in zip(unique, created)
    ]
    new = _bulk_insert(connection, mentions.name, _MENTION_COLUMNS, ("source", "external_id"), rows)
    ids = _ids_by_key(connection, [(m.source, m.external_id) for m in unique])
    links = [
        (ids[(m.source, m.external_id)], brand, when)
        for m, when in zip(unique, created)
        for brand in dict.fromkeys(m.brands)
    ]
    if links:
        _bulk_insert(connection, mention_brands.name, ("mention_id", "brand", "created_at"), ("mention_id", "brand"),
                     links)
    return StoreResult(new=new, seen=len(unique) - new)


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
