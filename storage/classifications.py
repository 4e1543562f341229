"""Which mentions still need the classifier, and storing what it said."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Engine, Float, String, and_, bindparam, func, or_, select
from sqlalchemy.exc import DBAPIError

from journeywatch.domain import Prediction

from .dialect import insert_for
from .tables import UTCDateTime, classifications, mentions


@dataclass(frozen=True, slots=True)
class PendingText:
    mention_id: int
    text: str
    source_kind: str = "social"  # a review source's items are read by the guide's review-site rule
    # The stored (title, text) `text` was made from: a save is kept only while the mention still has them.
    read: tuple[str | None, str] | None = None


def _pending_filter(model_version: str | None) -> Any:
    """No classification yet; with a version, also those made by another model."""
    missing = classifications.c.mention_id.is_(None)
    if model_version is None:
        return missing
    return or_(missing, classifications.c.model_version != model_version)


def count_pending(engine: Engine, model_version: str | None = None) -> int:
    query = (
        select(func.count())
        .select_from(mentions.outerjoin(classifications))
        .where(and_(mentions.c.lang_supported.is_(True), _pending_filter(model_version)))
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def iter_pending(
    engine: Engine, batch_size: int, model_version: str | None = None, id_range: tuple[int, int] | None = None
) -> Iterator[list[PendingText]]:
    """Stream unclassified texts in id order, one batch in memory at a time.

    Keyset pagination (id > last) keeps each query cheap however many rows
    there are, and makes the stream safe to interleave with writes.
    `id_range` (inclusive) limits the stream to one worker's share.

    On PostgreSQL each batch is claimed: its mention rows stay locked (FOR NO KEY UPDATE, which the
    classifications' foreign key does not wait for) until the caller asks for the next batch, and rows
    another stream holds are skipped (SKIP LOCKED), so runs classifying at once (two configs' hourly
    runs, an overlapping cron run, Dask tasks of two runs) share the work instead of each doing all of
    it. A stream whose process dies releases its rows with its connection; they wait for the next run.
    SQLite has no row locks: there, streams at once classify the same rows, and the first save wins.
    """
    if engine.dialect.name == "postgresql":
        yield from _claimed_batches(engine, batch_size, model_version, id_range)
        return
    last_id, last_allowed = (id_range[0] - 1, id_range[1]) if id_range else (0, None)
    while True:
        query = _pending_query(last_id, last_allowed, batch_size, model_version)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return
        last_id = rows[-1].id
        yield _pending_texts(rows)


def _pending_query(last_id: int, last_allowed: int | None, batch_size: int, model_version: str | None) -> Any:
    conditions = [mentions.c.id > last_id, mentions.c.lang_supported.is_(True), _pending_filter(model_version)]
    if last_allowed is not None:
        conditions.append(mentions.c.id <= last_allowed)
    return (
        select(mentions.c.id, mentions.c.title, mentions.c.text, mentions.c.source_kind)
        .select_from(mentions.outerjoin(classifications))
        .where(and_(*conditions))
        .order_by(mentions.c.id)
        .limit(batch_size)
    )


def _pending_texts(rows: Any) -> list[PendingText]:
    return [PendingText(r.id, text_for_classifier(r.title, r.text), r.source_kind, (r.title, r.text)) for r in rows]


def _claimed_batches(engine: Engine, batch_size: int, model_version: str | None,
                     id_range: tuple[int, int] | None) -> Iterator[list[PendingText]]:
    """`iter_pending` on PostgreSQL: each batch locked in its own transaction while the caller classifies it.

    A stream its caller gives up on (its save failed: the database went away) is closed with its batch's
    transaction rolled back; on a connection already gone that rollback fails, and raised while the stream
    was closed it printed "Exception ignored in: <generator object iter_pending>" and psycopg's traceback
    beside the run's one-line error. The server lets the rows go with the lost connection, so it is ignored.
    """
    last_id, last_allowed = (id_range[0] - 1, id_range[1]) if id_range else (0, None)
    while True:
        query = _pending_query(last_id, last_allowed, batch_size, model_version).with_for_update(
            of=mentions, key_share=True, skip_locked=True)  # FOR NO KEY UPDATE OF mentions SKIP LOCKED
        closing = False
        try:
            with engine.begin() as connection:  # committed (the rows let go) when the caller asks for the next batch
                rows = connection.execute(query).all()
                if not rows:
                    return
                last_id = rows[-1].id
                try:
                    yield _pending_texts(rows)
                except GeneratorExit:
                    closing = True
                    raise
        except DBAPIError as error:
            if closing and error.connection_invalidated:
                return
            raise


def pending_id_ranges(engine: Engine, per_range: int, model_version: str | None = None) -> list[tuple[int, int]]:
    """Split the pending rows into id ranges of about `per_range` rows, for workers on several hosts."""
    query = (
        select(mentions.c.id)
        .select_from(mentions.outerjoin(classifications))
        .where(and_(mentions.c.lang_supported.is_(True), _pending_filter(model_version)))
        .order_by(mentions.c.id)
    )
    ranges: list[tuple[int, int]] = []
    with engine.connect() as connection:
        ids = connection.execute(query).scalars()
        chunk: list[int] = []
        for mention_id in ids:
            chunk.append(mention_id)
            if len(chunk) == per_range:
                ranges.append((chunk[0], chunk[-1]))
                chunk = []
        if chunk:
            ranges.append((chunk[0], chunk[-1]))
    return ranges


def text_for_classifier(title: str | None, text: str) -> str:
    """A post's title carries much of its meaning; classify it with the body."""
    if title and not text.startswith(title):
        return f"{title}. {text}" if text else title
    return text


# A classification made from a pending row's text, inserted only while the mention still has that title and text:
# a run that stored an edit meanwhile (`store_batch` drops the classification so the newest text is classified) would
# otherwise get the old text's classification kept on the edited item, which then never left it. The check is in the
# INSERT itself, so nothing can change the text between it and the write (SQLite writes one at a time; PostgreSQL's
# claimed batches hold the row until the save is done, see `iter_pending`).
_SAVE_COLUMNS = ("model_version", "moment", "moment_confidence", "sentiment", "sentiment_confidence",
                 "probabilities", "needs_review", "classified_at")
_SAVE_TYPES = {"model_version": String(), "moment": String(), "moment_confidence": Float(), "sentiment": String(),
               "sentiment_confidence": Float(), "probabilities": JSON(), "needs_review": Boolean(),
               "classified_at": UTCDateTime()}
_STILL_READ = select(mentions.c.id, *[bindparam(name, type_=_SAVE_TYPES[name]).label(name) for name in _SAVE_COLUMNS]
                     ).where(mentions.c.id == bindparam("mention_id"), mentions.c.text == bindparam("read_text"),
                             mentions.c.title.is_not_distinct_from(bindparam("read_title")))


def save_predictions(
    engine: Engine, model_version: str, items: Sequence[tuple[int | PendingText, Prediction]], *,
    only_missing: bool = False,
) -> int:
    """Store (or replace) the classification of each mention; returns how many were stored.

    An item given as the `PendingText` it was made from is stored only if the mention still has the title and
    text that were read: one edited meanwhile stays pending, so the next classification reads its newest text
    (and it is not counted). One given as a bare mention id (labels from elsewhere) is stored as it is.
    `only_missing` keeps a classification already there and counts only those added: two monitor
    runs sharing a database (two configs' crons) classify the same pending rows at the same time,
    and each said it had classified them all.
    """
    if not items:
        return 0
    now = datetime.now(timezone.utc)
    plain: list[dict[str, Any]] = []
    guarded: list[dict[str, Any]] = []
    for item, p in items:
        row = {
            "mention_id": item if isinstance(item, int) else item.mention_id,
            "model_version": model_version,
            "moment": p.moment,
            "moment_confidence": p.moment_confidence,
            "sentiment": p.sentiment,
            "sentiment_confidence": p.sentiment_confidence,
            "probabilities": {"moment": p.moment_probs, "sentiment": p.sentiment_probs},
            "needs_review": p.needs_review,
            "classified_at": now,
        }
        if isinstance(item, PendingText) and item.read is not None:
            row["read_title"], row["read_text"] = item.read
            guarded.append(row)
        else:
            plain.append(row)
    with engine.begin() as connection:
        return sum(_save(connection, rows, only_missing, guard) for rows, guard in ((plain, False), (guarded, True))
                   if rows)


def _save(connection: Connection, rows: list[dict[str, Any]], only_missing: bool, guarded: bool) -> int:
    insert = insert_for(connection, classifications)
    if guarded:  # one INSERT ... SELECT a row; executemany's row count is their sum
        insert = insert.from_select(["mention_id", *_SAVE_COLUMNS], _STILL_READ)
        if only_missing:
            insert = insert.on_conflict_do_nothing(index_elements=["mention_id"])
        else:
            insert = insert.on_conflict_do_update(index_elements=["mention_id"],
                                                  set_={c: insert.excluded[c] for c in _SAVE_COLUMNS})
        return int(connection.execute(insert.execution_options(preserve_rowcount=True), rows).rowcount)
    if only_missing:
        added = connection.execute(insert.on_conflict_do_nothing(index_elements=["mention_id"])
                                   .returning(classifications.c.mention_id), rows)
        return len(added.all())
    replace = {c: insert.excluded[c] for c in rows[0] if c != "mention_id"}
    connection.execute(insert.on_conflict_do_update(index_elements=["mention_id"], set_=replace), rows)
    return len(rows)
