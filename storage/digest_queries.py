"""The digest's SQL: a brand's weeks as a few aggregates over the (brand, created_at) index.

Every query starts from `mention_brands` restricted to one brand and a time
range (one index range scan) and joins mentions and classifications by
primary key. Counts are grouped in the database; only the handful of quotes
and the texts the term statistics need come back as rows.

Cue phrases (loyalty, churn, comparison) are passed in as regular
expressions, so storage does not need to know what a journey stage is.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, and_, case, func, literal, or_, select
from sqlalchemy.sql.expression import ColumnElement

from .dialect import json_has_object, json_names
from .journey import NOT_STICKIED, journey_moment, on_moment
from .tables import classifications, mention_brands, mentions, runs



@dataclass(frozen=True, slots=True)
class Cues:
    """Regular expressions for the language the journey stages look for (see `cue_regex`)."""

    loyalty: tuple[str, ...] = ()
    churn: tuple[str, ...] = ()
    comparison: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CountRow:
    """Mentions of one brand in one week bucket sharing every other field; moment None = not classified."""

    bucket: int
    moment: str | None
    sentiment: str | None
    source: str | None  # only for the last week
    lang_supported: bool
    needs_review: bool
    cue: str | None  # 'loyalty', 'churn' or None
    compares: bool
    count: int
    # False: a feed's undated backlog, stored at its fetch time (in the week collected, written any time before)
    date_known: bool = True
    # A subreddit's stickied post, its moderators' (a megathread, an announcement): `moment` reads "none" once it
    # is classified, as it is no customer's talk on the journey.
    stickied: bool = False


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One stored item as the digest quotes it."""

    mention_id: int
    source: str
    title: str | None
    text: str
    url: str | None
    created_at: datetime
    moment: str
    sentiment: str
    moment_confidence: float
    sentiment_confidence: float
    cue: str | None
    compares: bool
    # False: a feed's undated backlog; `created_at` is when it was fetched, not written, and no date to quote
    date_known: bool = True
    nsfw: bool = False  # Reddit's over_18: quoted only where nothing else is, and marked


def cue_regex(patterns: Sequence[str], brand: str) -> str | None:
    """One case-insensitive regular expression (Python's syntax) for any of `patterns` about `brand`.

    An apostrophe in a pattern matches a straight one, a curly one or none ("I've", "I’ve", "Ive"), and
    `{brand}` any of the brand's names. One expression, not one per pattern: each costs a pass over the texts.
    """
    if not patterns:
        return None
    names = "|".join(re.escape(name) for name in brand_names(brand))
    joined = "|".join(f"(?:{p})" for p in patterns).replace("'", "['’]?")
    return "(?i)" + joined.replace("{brand}", f"(?:{names})")


def _matches(patterns: Sequence[str], dialect: str, brand: str) -> ColumnElement[bool]:
    """The text matches any pattern: SQLite's REGEXP (Python's re, which SQLAlchemy registers) or PostgreSQL's ~.

    PostgreSQL writes a word boundary \\y where Python writes \\b; the rest of the patterns is read alike.
    """
    regex = cue_regex(patterns, brand)
    if regex is None:
        return literal(False)
    return mentions.c.text.regexp_match(regex if dialect == "sqlite" else regex.replace("\\b", "\\y"))


def brand_names(brand: str) -> tuple[str, ...]:
    """How a text may name `brand` after "switched to": its whole name, and its first word when that is distinctive."""
    name = brand.lower().strip()
    first = name.split()[0] if name.split() else name
    return (name,) if first == name or len(first) < 4 else (name, first)


def _journey(since: datetime | None) -> ColumnElement[bool]:
    """Rows whose text is worth matching: classified journey items (no stickied post), from `since` on."""
    condition = and_(classifications.c.moment.is_not(None), classifications.c.moment != "none", NOT_STICKIED)
    return condition if since is None else and_(condition, mention_brands.c.created_at >= since)


# Before buying (noticing the brand, researching it) an author is no customer yet: "Can I cancel anytime?" is
# a question, not churn, and "Does it renew automatically?" no loyalty.
_BEFORE_PURCHASE = ("stimulus", "zero_moment")


def _cue(cues: Cues, dialect: str, brand: str, since: datetime | None = None) -> ColumnElement[Any]:
    return case((~_journey(since), literal(None)),
                (classifications.c.moment.in_(_BEFORE_PURCHASE), literal(None)),
                (_matches(cues.churn, dialect, brand), literal("churn")),
                (_matches(cues.loyalty, dialect, brand), literal("loyalty")), else_=literal(None))


def _compares(cues: Cues, dialect: str, brand: str, since: datetime | None = None) -> ColumnElement[Any]:
    return case((~_journey(since), 0), (classifications.c.moment != "zero_moment", 0),
                (_matches(cues.comparison, dialect, brand), 1), else_=0)


def _bucket(edges: Sequence[datetime]) -> ColumnElement[Any]:
    """0 for [edges[0], edges[1]), 1 for the next week, ...: the week an item falls in."""
    return case(*[(mention_brands.c.created_at < edge, i) for i, edge in enumerate(edges[1:])], else_=-1)


def _brand_range(brand: str, since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(mention_brands.c.brand == brand, mention_brands.c.created_at >= since,
                mention_brands.c.created_at < until)


_JOINED = mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id).outerjoin(
    classifications, classifications.c.mention_id == mention_brands.c.mention_id
)


def brand_week_counts(
    engine: Engine, brand: str, edges: Sequence[datetime], cues: Cues, detail_since: datetime | None = None,
) -> list[CountRow]:
    """Mentions of `brand` per week bucket × moment × sentiment × source × coverage flags × cue, in one query.

    Cue phrases are matched only from `detail_since` on (the weeks a stage's
    change is measured against) and sources only for the last week (its
    touchpoints), so older weeks cost an index step and a primary-key lookup.
    Items of unknown date (`date_known`) are grouped apart: a new feed's backlog
    of months is in the week it was read, and must not read as that week's growth.
    """
    dialect = engine.dialect.name
    bucket = _bucket(edges).label("bucket")
    cue = _cue(cues, dialect, brand, detail_since).label("cue")
    compares = _compares(cues, dialect, brand, detail_since).label("compares")
    review = func.coalesce(classifications.c.needs_review, False).label("needs_review")
    source = case((mention_brands.c.created_at >= edges[-2], mentions.c.source), else_=literal(None)).label("source")
    columns = (bucket, journey_moment().label("moment"), classifications.c.sentiment, source,
               mentions.c.lang_supported, review, cue, compares, mention_brands.c.date_known, mentions.c.stickied)
    query = (
        select(*columns, func.count().label("n"))
        .select_from(_JOINED)
        .where(_brand_range(brand, edges[0], edges[-1]))
        .group_by(*columns)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        CountRow(int(r.bucket), r.moment, r.sentiment, r.source, bool(r.lang_supported), bool(r.needs_review),
                 r.cue, bool(r.compares), int(r.n), bool(r.date_known), bool(r.stickied))
        for r in rows
    ]


# Quoted items are the classifier's sure ones: an item it flags for review (unsure, or unreadable text) was
# quoted as the week's "most negative share-stage talk", the items to answer.
_SURE = func.coalesce(classifications.c.needs_review, False).is_(False)
# NSFW posts come last: a digest is forwarded to colleagues, and one is quoted (marked) only where no other item is.
_NSFW_LAST = case((mentions.c.nsfw.is_(True), 1), else_=0)


def top_items(
    engine: Engine, brand: str, since: datetime, until: datetime, cues: Cues, per_group: int
) -> list[ItemRow]:
    """The `per_group` most confident items per moment × sentiment × cue × comparison in the range, never a
    stickied (moderators') post, NSFW ones after all others.

    A window function keeps this one query on SQLite (3.25+) and PostgreSQL;
    the digest picks its quotes from these few rows.
    """
    cue = _cue(cues, engine.dialect.name, brand)
    compares = _compares(cues, engine.dialect.name, brand)
    confidence = classifications.c.moment_confidence * classifications.c.sentiment_confidence
    has_url = case((mentions.c.url.is_(None), 1), else_=0)
    rank = func.row_number().over(
        partition_by=(classifications.c.moment, classifications.c.sentiment, cue, compares),
        order_by=(_NSFW_LAST, has_url, confidence.desc(), mentions.c.id),
    )
    inner = (
        select(
            mentions.c.id.label("mention_id"), mentions.c.source, mentions.c.title, mentions.c.text,
            mentions.c.url, mentions.c.created_at, mention_brands.c.date_known, mentions.c.nsfw,
            classifications.c.moment,
            classifications.c.sentiment, classifications.c.moment_confidence, classifications.c.sentiment_confidence,
            cue.label("cue"), compares.label("compares"), rank.label("rank"),
        )
        .select_from(_JOINED)
        .where(_brand_range(brand, since, until), classifications.c.moment.is_not(None),
               classifications.c.moment != "none", _SURE, NOT_STICKIED)
        .subquery()
    )
    query = select(inner).where(inner.c.rank <= per_group).order_by(inner.c.moment, inner.c.rank)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [_item(r) for r in rows]


def _utc(value: Any) -> datetime:
    """Aware UTC from whatever the driver returns for a timestamp inside a subquery."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _item(r: Any) -> ItemRow:
    return ItemRow(int(r.mention_id), r.source, r.title, r.text, r.url, _utc(r.created_at), r.moment,
                   r.sentiment, float(r.moment_confidence), float(r.sentiment_confidence),
                   getattr(r, "cue", None), bool(getattr(r, "compares", False)), bool(r.date_known), bool(r.nsfw))


def most_confident(
    engine: Engine, brand: str, since: datetime, until: datetime, moment: str, sentiment: str, limit: int
) -> list[ItemRow]:
    """The items of one moment and sentiment the classifier is surest of (e.g. the most negative share-stage talk),
    never a stickied (moderators') post, NSFW ones after all others."""
    query = (
        select(
            mentions.c.id.label("mention_id"), mentions.c.source, mentions.c.title, mentions.c.text,
            mentions.c.url, mentions.c.created_at, mention_brands.c.date_known, mentions.c.nsfw,
            classifications.c.moment,
            classifications.c.sentiment, classifications.c.moment_confidence, classifications.c.sentiment_confidence,
        )
        .select_from(_JOINED)
        .where(_brand_range(brand, since, until), on_moment(moment), classifications.c.sentiment == sentiment,
               _SURE)
        .order_by(_NSFW_LAST, classifications.c.sentiment_confidence.desc(),
                  classifications.c.moment_confidence.desc(), mentions.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [_item(r) for r in connection.execute(query).all()]


@dataclass(frozen=True, slots=True)
class TermText:
    """A classified text for the term statistics: `current` is this week, else the baseline weeks."""

    current: bool
    moment: str
    sentiment: str
    cue: str | None
    compares: bool
    text: str
    author: str | None = None  # pseudonymised; a term needs several authors, not one author's many posts
    date_known: bool = True  # False: a feed's backlog stored when read, of no week's talk in particular


def texts_for_terms(
    engine: Engine, brand: str, since: datetime, week_start: datetime, until: datetime, cues: Cues,
    strides: tuple[int, int] = (1, 1),
) -> list[TermText]:
    """Journey texts of the baseline [since, week_start) and the week [week_start, until).

    `strides` (week, baseline) keep every n-th item by id: a systematic sample
    that bounds the tokenising work on busy brands while keeping proportions.
    """
    current = case((mention_brands.c.created_at >= week_start, 1), else_=0)
    week_stride, baseline_stride = strides
    sampled = or_(
        and_(mention_brands.c.created_at >= week_start, mention_brands.c.mention_id % week_stride == 0),
        and_(mention_brands.c.created_at < week_start, mention_brands.c.mention_id % baseline_stride == 0),
    )
    query = (
        select(current.label("current"), classifications.c.moment, classifications.c.sentiment,
               _cue(cues, engine.dialect.name, brand).label("cue"),
               _compares(cues, engine.dialect.name, brand).label("compares"),
               mentions.c.title, mentions.c.text, mentions.c.author, mention_brands.c.date_known)
        .select_from(_JOINED)
        .where(_brand_range(brand, since, until), classifications.c.moment.is_not(None),
               classifications.c.moment != "none", NOT_STICKIED, sampled)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        TermText(bool(r.current), r.moment, r.sentiment, r.cue, bool(r.compares),
                 f"{r.title}. {r.text}" if r.title and not r.text.startswith(r.title) else r.text, r.author,
                 bool(r.date_known))
        for r in rows
    ]


def model_versions(engine: Engine, brand: str, since: datetime, until: datetime) -> dict[str, int]:
    """`brand`'s classified items written in [since, until), counted per classifier model version.

    Every classification keeps its version; a digest that did not say which tagged its items left a reader
    unable to tell whether its figures came from the model the model card measures.
    """
    query = (
        select(classifications.c.model_version, func.count())
        .select_from(mention_brands.join(classifications,
                                         classifications.c.mention_id == mention_brands.c.mention_id))
        .where(_brand_range(brand, since, until))
        .group_by(classifications.c.model_version)
    )
    with engine.connect() as connection:
        return {str(version): int(n) for version, n in connection.execute(query)}


def repeat_authors(
    engine: Engine, brand: str, history_start: datetime, week_start: datetime, week_end: datetime
) -> tuple[int, int]:
    """(authors who wrote about `brand` this week, how many of them also did in [history_start, week_start)); a
    stickied post's author (a moderator) is not counted for it."""
    this_week = (
        select(mentions.c.author)
        .select_from(_JOINED)
        .where(_brand_range(brand, week_start, week_end), mentions.c.author.is_not(None), NOT_STICKIED)
        .distinct()
        .subquery()
    )
    before = (
        select(mentions.c.author)
        .select_from(_JOINED)
        .where(_brand_range(brand, history_start, week_start), mentions.c.author.is_not(None), NOT_STICKIED)
    )
    query = select(
        func.count(),
        func.coalesce(func.sum(case((this_week.c.author.in_(before), 1), else_=0)), 0),
    ).select_from(this_week)
    with engine.connect() as connection:
        total, repeat = connection.execute(query).one()
    return int(total), int(repeat)


def latest_mention_time(engine: Engine, brands: Sequence[str], before: datetime | None = None) -> datetime | None:
    """When the newest mention of any of `brands` (written before `before`, if given) was written; None: none."""
    query = select(func.max(mention_brands.c.created_at)).where(mention_brands.c.brand.in_(list(brands)))
    if before is not None:
        query = query.where(mention_brands.c.created_at < before)
    with engine.connect() as connection:
        value = connection.execute(query).scalar()
    if value is None:
        return None
    return _utc(value)


def holds_mentions(engine: Engine) -> bool:
    """Whether any mention is stored, of any brand: runs have collected, whatever a brand's query matched."""
    with engine.connect() as connection:
        return connection.execute(select(mentions.c.id).limit(1)).first() is not None


def first_mention_time(engine: Engine, brand: str) -> datetime | None:
    """When the oldest stored mention of `brand` was written; None: it has none.

    The weeks before it were not measured as empty: the brand was not watched yet, or its sources held
    nothing that old, and a digest shows them as no data rather than 0.
    """
    query = select(func.min(mention_brands.c.created_at)).where(mention_brands.c.brand == brand)
    with engine.connect() as connection:
        value = connection.execute(query).scalar()
    return None if value is None else _utc(value)


def first_stored_time(engine: Engine, sources: Collection[str] | None = None) -> datetime | None:
    """When the oldest stored item (of `sources`, where given) was written; None: none is stored.

    The weeks from it on are covered: the sources were read and held items that old. A brand with no item by
    then counts those weeks as measured 0s (its query matched nothing there), not as no data.
    """
    query = select(func.min(mentions.c.created_at))
    if sources is not None:
        query = query.where(mentions.c.source.in_(list(sources)))
    with engine.connect() as connection:
        value = connection.execute(query).scalar()
    return None if value is None else _utc(value)


def tracked_since(engine: Engine, brand: str, sources: Collection[str] | None = None) -> datetime | None:
    """When the items of `sources` (every source: None) began to be matched against `brand`, where they were
    read before it was in the config: the newest item they had stored before its first run. None: every item
    they stored was read with the brand there (or no run recorded its brands).

    Items are matched to brands as they are collected and those matching none are not stored, so the weeks read
    before a brand was added hold nothing of it: its digest read 0 there, "nobody talked about us". A monitor
    run records the brands it matched (its summary's `brands`) and an item when it was first fetched: the
    brand's first run is the first naming it (or its first item's fetch, where that run was interrupted and
    recorded none); an earlier run naming other brands shows that what was fetched before it was read without.
    """
    monitor = runs.c.flow == "monitor"
    recorded = json_has_object(runs.c.summary, "brands")
    # The first run recording its brands: naming this one, as a rule (a brand there from the start), it settles
    # the question in one row; else it read without it.
    # The earliest runs are looked at first: PostgreSQL read every run's JSON to sort them (0.67 s for 10,000).
    early = select(runs.c.id).where(monitor).order_by(runs.c.id).limit(100).scalar_subquery()
    first = (select(runs.c.started_at, json_names(runs.c.summary, "brands", brand).label("named"))
             .where(monitor, recorded).order_by(runs.c.id).limit(1))
    first_run = select(func.min(runs.c.started_at)).where(monitor, json_names(runs.c.summary, "brands", brand))
    first_fetch = (select(func.min(mentions.c.fetched_at))
                   .select_from(mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id))
                   .where(mention_brands.c.brand == brand))
    with engine.connect() as connection:
        row = connection.execute(first.where(runs.c.id.in_(early))).first() or connection.execute(first).first()
        if row is None or row.named:
            return None
        read_without = row.started_at
        if read_without is None:
            return None
        named = connection.execute(first_run).scalar()
        if named is not None:
            # An item is written before it is fetched: only those written before that run can have been fetched
            # before it, and the (brand, created_at) index finds them without reading every item of the brand.
            first_fetch = first_fetch.where(mention_brands.c.created_at < named)
        starts = [_utc(v) for v in (named, connection.execute(first_fetch).scalar()) if v is not None]
        began = min(starts, default=None)
        if began is not None and _utc(read_without) >= began:
            return None  # removed from the config later, not added: it was tracked from the first run
        newest = select(func.max(mentions.c.created_at))
        if began is not None:  # written before it too: the newest found from the created_at index down
            newest = newest.where(mentions.c.created_at < began, mentions.c.fetched_at < began)
        if sources is not None:
            newest = newest.where(mentions.c.source.in_(list(sources)))
        value = connection.execute(newest).scalar()
    if value is None:
        return None
    # An item dated after the run it was read in (a wrong zone, an event's date) says nothing of what was read.
    return min(_utc(value), began or datetime.now(timezone.utc))

