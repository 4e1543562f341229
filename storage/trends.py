"""Trend queries: counts by brand, week, moment, sentiment and source, aggregated in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, select

from .dialect import week_start
from .tables import classifications, mention_brands, mentions


@dataclass(frozen=True, slots=True)
class TrendRow:
    brand: str
    week: date  # the Monday (UTC) starting the ISO week
    moment: str
    sentiment: str
    source: str
    count: int


def trend_counts(
    engine: Engine, since: datetime, until: datetime, brand: str | None = None
) -> list[TrendRow]:
    """Classified mentions per brand × week × moment × sentiment × source in [since, until)."""
    week = week_start(mention_brands.c.created_at).label("week")
    query = (
        select(
            mention_brands.c.brand,
            week,
            classifications.c.moment,
            classifications.c.sentiment,
            mentions.c.source,
            func.count().label("count"),
        )
        .select_from(
            mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id).join(
                classifications, classifications.c.mention_id == mention_brands.c.mention_id
            )
        )
        .where(mention_brands.c.created_at >= since, mention_brands.c.created_at < until)
        .group_by(mention_brands.c.brand, week, classifications.c.moment, classifications.c.sentiment, mentions.c.source)
        .order_by(mention_brands.c.brand, week)
    )
    if brand is not None:
        query = query.where(mention_brands.c.brand == brand)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        TrendRow(r.brand, r.week if isinstance(r.week, date) else date.fromisoformat(r.week),
                 r.moment, r.sentiment, r.source, int(r.count))
        for r in rows
    ]


def label_counts_by_brand(engine: Engine, brands: list[str]) -> dict[str, dict[tuple[str, str], int]]:
    """All-time counts per brand of (moment, sentiment), for the run summary."""
    query = (
        select(mention_brands.c.brand, classifications.c.moment, classifications.c.sentiment, func.count())
        .select_from(mention_brands.join(classifications, classifications.c.mention_id == mention_brands.c.mention_id))
        .where(mention_brands.c.brand.in_(brands))
        .group_by(mention_brands.c.brand, classifications.c.moment, classifications.c.sentiment)
    )
    out: dict[str, dict[tuple[str, str], int]] = {brand: {} for brand in brands}
    with engine.connect() as connection:
        for brand, moment, sentiment, count in connection.execute(query):
            out[brand][(moment, sentiment)] = int(count)
    return out


def unclassified_by_brand(engine: Engine, brands: list[str]) -> dict[str, dict[str, int]]:
    """Per brand, the stored mentions the label counts leave out: in a language the classifier does not read
    (`language`), or not classified yet (`pending`, after a failed or interrupted classification).

    The run summary's table said "all stored mentions" and silently left these out: three new French and
    German posts made a table of one.
    """
    pending = classifications.c.mention_id.is_(None)
    query = (
        select(mention_brands.c.brand, mentions.c.lang_supported, func.count())
        .select_from(mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id)
                     .outerjoin(classifications, classifications.c.mention_id == mention_brands.c.mention_id))
        .where(mention_brands.c.brand.in_(brands), pending)
        .group_by(mention_brands.c.brand, mentions.c.lang_supported)
    )
    out = {brand: {"language": 0, "pending": 0} for brand in brands}
    with engine.connect() as connection:
        for brand, supported, count in connection.execute(query):
            out[brand]["pending" if supported else "language"] += int(count)
    return out
