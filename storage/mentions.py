"""Storing mentions idempotently, with the source's watermark in the same transaction.

The watermark moves only when the mentions it covers are committed with it,
so a crash between fetch and store loses nothing: the next run fetches again
and the upsert drops what is already there (taking an edited title or text).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, delete, literal, or_, select, update

from journeywatch.domain import Mention

from .dialect import insert_for
from .tables import classifications, mention_brands, mentions, watermarks


@dataclass(frozen=True, slots=True)
class StoreResult:
    """How a batch landed: `new` rows added, `seen` already stored before, of which `edited` came with another
    title or text; `linked`: per brand, the items this batch linked to it first (its new items, and stored ones
    that match it for the first time); `withdrawn`: stored items blanked by a stand-in for an item deleted or
    removed since (see `wordless`), not counted as `edited`."""

    new: int
    seen: int
    linked: dict[str, int] = field(default_factory=dict)
    edited: int = 0
    withdrawn: int = 0


_MENTION_COLUMNS = ("source", "external_id", "source_kind", "title", "text", "url", "author", "parent_id",
                    "created_at", "fetched_at", "lang", "lang_supported", "nsfw", "stickied", "date_known")


# --- the bulk path ------------------------------------------------------------------------------
# Ingest writes tens of thousands of rows a run. SQLAlchemy's executemany processes every parameter
# of every row in Python (bind processors, the UTC TypeDecorator, SQLite's datetime formatting),
# which measured at over half of ingest time (benchmarks/ingest.py). The two bulk INSERTs below go
# to the driver's executemany with values already in the form the column types would produce; the
# SQL is the same ON CONFLICT DO NOTHING on both dialects, and reads still go through the tables.


def _time_for(dialect: str) -> Any:
    """How a UTC-aware datetime is bound: the string SQLAlchemy's SQLite DATETIME stores, or naive UTC."""
    utc = timezone.utc

    def sqlite_time(value: datetime) -> str:
        if value.tzinfo is utc:  # the common case (listeners make UTC times): "+00:00" is all there is to drop
            return value.isoformat(" ", "microseconds")[:-6]
        return value.astimezone(utc).replace(tzinfo=None).isoformat(" ", "microseconds")

    def naive_utc(value: datetime) -> datetime:
        return value.astimezone(utc).replace(tzinfo=None)

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


def _unique(batch: Iterable[Mention]) -> list[Mention]:
    """Drop repeats inside one batch (a feed listing an entry twice), keeping the first."""
    kept: dict[tuple[str, str], Mention] = {}
    for mention in batch:
        kept.setdefault((mention.source, mention.external_id), mention)
    return list(kept.values())


def insert_mentions(connection: Connection, batch: Iterable[Mention],
                    judged: Collection[str] | None = None) -> StoreResult:
    """Insert what is new in `batch`, take the newest title and text of stored items edited since, and link every
    item to its brands.

    The INSERT skips stored keys itself (ON CONFLICT DO NOTHING), and the
    driver's row count says how many were new; one lookup then finds the ids
    the brand links need. See `_take_edits` for the stored items, and for
    `judged`: the brands the batch was matched against (None: every brand).
    """
    unique = _unique(batch)
    if not unique:
        return StoreResult(new=0, seen=0)
    as_time = _time_for(connection.dialect.name)
    now = as_time(datetime.now(timezone.utc))
    rows = []
    links = []
    for m in unique:  # one pass builds both: the rows and the brand links
        rows.append((m.source, m.external_id, m.source_kind, m.title, m.text, m.url, m.author, m.parent_id,
                     as_time(m.created_at), now, m.lang, bool(m.lang_supported), bool(m.nsfw), bool(m.stickied),
                     bool(m.date_known)))
        brands = m.brands
        if len(brands) == 1:
            links.append((brands[0], m.source, m.external_id))
        else:
            links.extend([(brand, m.source, m.external_id) for brand in dict.fromkeys(brands)])
    new = _bulk_insert(connection, mentions.name, _MENTION_COLUMNS, ("source", "external_id"), rows)
    if new < len(unique):
        _take_dates(connection, unique)
    edited, withdrawn = _take_edits(connection, unique, judged) if new < len(unique) else (0, 0)
    linked = _link_brands(connection, links) if links else {}
    return StoreResult(new=new, seen=len(unique) - new, linked=linked, edited=edited, withdrawn=withdrawn)


# A stored item whose title or text is not the batch's: the keys and the newest values are bound by these names.
# Compared in SQL a row at a time (executemany: an index probe each, 11 us a seen item on SQLite, 50 us on
# PostgreSQL): read back in IN lists instead, PostgreSQL filtered every row of the source against the list, a
# second per batch of an export read again.
_EDITED = and_(mentions.c.source == bindparam("b_source"), mentions.c.external_id == bindparam("b_external_id"),
               or_(mentions.c.text != bindparam("b_text"), mentions.c.title.is_distinct_from(bindparam("b_title"))))
_FORGET_CLASSIFICATION = delete(classifications).where(
    classifications.c.mention_id == select(mentions.c.id).where(_EDITED).scalar_subquery())
# The same, first taking the edited rows' locks (FOR NO KEY UPDATE: what a claimed batch holds, see `iter_pending`).
_FORGET_CLASSIFICATION_LOCKED = delete(classifications).where(
    classifications.c.mention_id == select(mentions.c.id).where(_EDITED).with_for_update(key_share=True)
    .scalar_subquery())
_TAKE_EDIT = update(mentions).where(_EDITED).values(
    text=bindparam("b_text"), title=bindparam("b_title"), lang=bindparam("b_lang"),
    lang_supported=bindparam("b_lang_supported"))
# An item read again with no words left (a Reddit post or comment since deleted or removed): its author goes too.
_BLANK_AUTHOR = update(mentions).where(
    mentions.c.source == bindparam("b_source"), mentions.c.external_id == bindparam("b_external_id"),
    mentions.c.text == "", mentions.c.title.is_(None)).values(author=None)


# A stored item of unknown date (the fetch time standing in) that the batch gives its source's own date: the keys
# and that date are bound by these names. Its brand links, which copy the row's date, take it too.
_STAND_IN = and_(mentions.c.source == bindparam("b_source"), mentions.c.external_id == bindparam("b_external_id"),
                 mentions.c.date_known.is_(False))
_TAKE_DATE = update(mentions).where(_STAND_IN).values(created_at=bindparam("b_created_at"), date_known=True)
_TAKE_LINK_DATES = update(mention_brands).where(
    mention_brands.c.mention_id == select(mentions.c.id).where(_STAND_IN).scalar_subquery(),
    mention_brands.c.date_known.is_(False)).values(created_at=bindparam("b_created_at"), date_known=True)


def _take_dates(connection: Connection, batch: list[Mention]) -> None:
    """Give stored items of unknown date the date `batch` now reads for them from their source.

    A feed cut short that still parses leaves its last entry without a date: stored at the fetch time,
    of unknown date (on a first reading), it kept that stand-in for ever, since an item keeps its first
    date, though the whole feed served later says when it was written. Only a date the source gave
    replaces it (`Mention.date_given`), not another fetch time; a known date is never changed.
    """
    rows = [{"b_source": m.source, "b_external_id": m.external_id, "b_created_at": m.created_at}
            for m in batch if m.date_given and m.date_known]
    if rows:
        connection.execute(_TAKE_LINK_DATES, rows)  # first: it finds the rows while they are of unknown date
        connection.execute(_TAKE_DATE, rows)


def wordless(mention: Mention) -> bool:
    """Nothing left to read: the stand-in a listener gives for an item deleted or removed since it was stored."""
    return not mention.text and mention.title is None


def _take_edits(connection: Connection, batch: list[Mention],
                judged: Collection[str] | None = None) -> tuple[int, int]:
    """Give stored items the title and text `batch` has for them where those changed; how many did: (edited,
    withdrawn), the second those blanked by a wordless stand-in (not edited by anyone: deleted or removed).

    A review its author edited, a news item updated: the first text was kept for ever, classified
    and shown as the item's. The row keeps its id, its created_at and date_known (but see `_take_dates`; the item was written
    then: its windows and weeks do not change, so nothing counts twice), and its classification is
    dropped, so the next classification step classifies the newest text like any pending item. Items
    this batch inserted have its text already: neither statement touches them. Of an edited item's
    brand links, only those to `judged` brands are judged again (see `_unlink_brands_no_longer_named`).
    A wordless item (deleted or removed since) is blanked: no title, text or author, and marked as not
    for the classifier, as an item in an unsupported language is, so it is not classified again.
    """
    rows = [{"b_source": m.source, "b_external_id": m.external_id, "b_text": m.text, "b_title": m.title,
             "b_lang": None if wordless(m) else m.lang,
             "b_lang_supported": bool(m.lang_supported) and not wordless(m)} for m in batch]
    _forget_classifications(connection, rows)  # these two first: they find the rows by their old text
    _unlink_brands_no_longer_named(connection, batch, rows, judged)
    worded = [row for mention, row in zip(batch, rows) if not wordless(mention)]
    blanked = [row for mention, row in zip(batch, rows) if wordless(mention)]
    taken = int(connection.execute(_TAKE_EDIT, worded).rowcount) if worded else 0
    withdrawn = int(connection.execute(_TAKE_EDIT, blanked).rowcount) if blanked else 0
    if blanked:
        connection.execute(_BLANK_AUTHOR, blanked)
    return taken, withdrawn


def _forget_classifications(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Drop the classifications of the stored items `rows` edits, so that their newest text is classified.

    On PostgreSQL another run may be classifying an item's old text meanwhile: its claimed batch holds the row
    (see `iter_pending`) until its save is committed. The edited rows are locked first (waiting for such a batch),
    then their classifications dropped by a second statement, which sees one saved while the first waited; from
    then on no run claims them until this transaction commits, and a later save of the old text (a batch read
    before) finds the newest text and is not kept (see `save_predictions`). Dropped before the wait, as they were,
    the old text's classification saved meanwhile stayed on the edited item, never classified again. SQLite
    writes one at a time: a save there comes wholly before this transaction or after it.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(_FORGET_CLASSIFICATION_LOCKED, rows)
    connection.execute(_FORGET_CLASSIFICATION, rows)


def _unlink_brands_no_longer_named(connection: Connection, batch: list[Mention], rows: list[dict[str, Any]],
                                   judged: Collection[str] | None) -> None:
    """Drop the brand links of edited items to brands their newest version does not match, of the `judged` ones.

    "Acme and Globex lost my bag" edited into "Globex lost my bag": kept, the Acme link would keep the
    item in Acme's counts and digest. Links to brands still matched stay as they are (not linked anew,
    so `StoreResult.linked` does not count them). `judged` are the brands the batch was matched against
    (its config's; None: every brand): another config sharing the database and the source name links
    its own brands, which this batch cannot speak for (all of them dropped, Globex's counts lost an item
    that Acme's config read edited). Items are grouped by their brands, one DELETE each group, which
    touches only rows `_EDITED` finds: unchanged items cost an index probe, as above.
    """
    by_brands: defaultdict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for mention, row in zip(batch, rows):
        by_brands[tuple(dict.fromkeys(mention.brands))].append(row)
    edited_item = mention_brands.c.mention_id == select(mentions.c.id).where(_EDITED).scalar_subquery()
    for brands, group in by_brands.items():
        if judged is None:
            # literal(): one bound value per brand, the same for every row of the executemany
            named = mention_brands.c.brand.in_([literal(brand) for brand in brands]) if brands else None
            condition = edited_item if named is None else and_(edited_item, ~named)
        else:
            dropped = [brand for brand in dict.fromkeys(judged) if brand not in brands]
            if not dropped:
                continue
            condition = and_(edited_item, mention_brands.c.brand.in_([literal(brand) for brand in dropped]))
        connection.execute(delete(mention_brands).where(condition), group)


def _link_brands(connection: Connection, links: list[tuple[str, str, str]]) -> dict[str, int]:
    """(brand, source, external_id) links, each finding its mention's id by the unique key itself;
    returns how many links each brand gained.

    One INSERT ... SELECT per link, in one executemany per brand: the id lookup is an index probe inside
    the database instead of a round trip that brings every id back to Python. The link copies the stored
    row's created_at and date_known: taken from the batch, an undated feed entry of the feed's first reading
    (date unknown) that a brand added later matches would be linked at that later fetch time as a known date,
    and counted in its hour's alert window. The row counts are what this batch added, so a run's new items
    per brand are its own even while another run (another config sharing the database, or this one's
    overlapping cron run) stores the same minutes.
    """
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {mention_brands.name} (mention_id, brand, created_at, date_known) "
           f"SELECT id, {mark}, created_at, date_known FROM {mentions.name} "
           f"WHERE source = {mark} AND external_id = {mark} ON CONFLICT (mention_id, brand) DO NOTHING")
    by_brand: defaultdict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for link in links:
        by_brand[link[0]].append(link)
    return {brand: int(connection.exec_driver_sql(sql, rows).rowcount) for brand, rows in by_brand.items()}


def set_watermark(connection: Connection, source: str, value: dict[str, Any]) -> None:
    updated_at = datetime.now(timezone.utc)
    if connection.dialect.name == "sqlite":  # once per batch: the driver's execute, not a Core statement
        connection.exec_driver_sql(
            f"INSERT INTO {watermarks.name} (source, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (source, _json_text(connection, value), _time_for("sqlite")(updated_at)),
        )
        return
    insert = insert_for(connection, watermarks)
    row = {"source": source, "value": value, "updated_at": updated_at}
    connection.execute(
        insert.values(row).on_conflict_do_update(
            index_elements=["source"], set_={"value": row["value"], "updated_at": row["updated_at"]}
        )
    )


def _json_text(connection: Connection, value: Any) -> str:
    """The text SQLAlchemy's JSON type stores for `value` (the dialect's serializer, json.dumps by default)."""
    return (getattr(connection.dialect, "_json_serializer", None) or json.dumps)(value)


def store_batch(
    engine: Engine, batch: Iterable[Mention], source: str | None = None, watermark: dict[str, Any] | None = None,
    judged: Collection[str] | None = None, no_longer_matched: Sequence[Mention] = (),
) -> StoreResult:
    """Commit a batch of mentions and, in the same transaction, the watermark that covers it.

    `judged`: the brands the batch was matched against (a config's); an edited item's links to other
    brands (another config's, sharing the database) are left alone. None: every brand.
    `no_longer_matched`: stored items read again edited so that they match none of those brands (see
    `stored_with_other_text`): their newest text is taken and their links to the judged brands dropped.
    """
    with engine.begin() as connection:
        result = insert_mentions(connection, batch, judged)
        gone = [replace(mention, brands=[]) for mention in _unique(no_longer_matched)]  # they match no judged brand
        if gone:
            edited, withdrawn = _take_edits(connection, gone, judged)
            result = replace(result, edited=result.edited + edited, withdrawn=result.withdrawn + withdrawn)
        if source is not None and watermark is not None:
            set_watermark(connection, source, watermark)
    return result


STORED_LOOKUP = 500  # ids a query: well under SQLite's and PostgreSQL's limits on bound values


def stored_with_other_text(engine: Engine, batch: Sequence[Mention]) -> list[Mention]:
    """The mentions of `batch` stored already (same source and id) with another title or text.

    For the items a run drops as matching no brand: one that is stored was matched before, so it was
    edited into not naming the brand. Dropped unseen, it kept its first text and its brand link for
    ever ("Acme lost my bag" edited into "Globex lost my bag" stayed in Acme's counts). One query a
    source and STORED_LOOKUP ids, on the unique (source, external_id) index.
    """
    wanted: defaultdict[str, dict[str, Mention]] = defaultdict(dict)
    for mention in batch:
        wanted[mention.source].setdefault(mention.external_id, mention)
    query = select(mentions.c.external_id, mentions.c.title, mentions.c.text).where(
        mentions.c.source == bindparam("source"), mentions.c.external_id.in_(bindparam("ids", expanding=True)))
    found: list[Mention] = []
    with engine.connect() as connection:
        for source, by_id in wanted.items():
            ids = list(by_id)
            for start in range(0, len(ids), STORED_LOOKUP):
                rows = connection.execute(query, {"source": source, "ids": ids[start:start + STORED_LOOKUP]})
                found += [by_id[row.external_id] for row in rows
                          if (row.text, row.title) != (by_id[row.external_id].text, by_id[row.external_id].title)]
    return found


def get_watermark(engine: Engine, source: str) -> dict[str, Any] | None:
    """The last committed watermark of `source`, or None before its first run."""
    with engine.connect() as connection:
        value = connection.execute(select(watermarks.c.value).where(watermarks.c.source == source)).scalar()
    return value
