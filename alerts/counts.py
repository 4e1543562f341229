"""The SQL the detector is fed: share-stage counts per window, and the evidence behind a window.

Counting happens in the database (GROUP BY window over the (brand,
created_at) index), so a check reads a few hundred rows per brand, not every
mention. Windows are aligned to the Unix epoch: with a one-hour window they
start on the hour. Windows of whole days start at midnight in the config's
`digest.timezone` (`window_origin`), the days its reader lives by, and weeks on a Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import ColumnElement, Engine, and_, case, func, not_, select, true

from journeywatch.copies import copy_key
from journeywatch.domain import Moment, Sentiment
from journeywatch.storage.dialect import epoch_bucket
from journeywatch.storage.journey import on_moment
from journeywatch.storage.tables import alert_judgments, classifications, mention_brands, mentions

from .alert import EvidenceItem

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TEXT_LIMIT = 1000  # characters of an item kept as evidence
_SCAN = 10  # rows read per evidence item shown, to find that many distinct texts


_DAY = timedelta(days=1)


_FIRST_MONDAY = datetime(1970, 1, 5, tzinfo=timezone.utc)


def window_origin(window: timedelta, zone: str = "UTC") -> datetime:
    """Where the grid of `window`-long windows starts: the epoch, or for whole days a Monday's midnight in `zone`.

    Cut at UTC midnight, a `1d` window in New York ran from 19:00 the day before, and a Sunday-evening
    spike west of Greenwich was listed on Saturday; counted from the epoch, a Thursday, a `1w` window ran
    Thursday to Thursday beside the digest's Monday-to-Sunday weeks. Windows keep one length, so the cut
    is at midnight in the zone's winter time all year (01:00 local in summer where the clocks go forward).
    """
    if window % _DAY:
        return EPOCH
    tz = ZoneInfo(zone)
    offset = min(datetime(2026, month, 1, tzinfo=tz).utcoffset() or timedelta(0) for month in (1, 7))
    return _FIRST_MONDAY - offset


def window_index(moment: datetime, window: timedelta, origin: datetime = EPOCH) -> int:
    """The index of the window holding `moment`, on the grid starting at `origin` (`window_origin`)."""
    return int((moment - origin) // window)


def window_start(index: int, window: timedelta, origin: datetime = EPOCH) -> datetime:
    return origin + index * window


@dataclass(frozen=True, slots=True)
class WindowCounts:
    """Counts on windows `first..first+len-1`: negative share-stage items and all share-stage items."""

    first: int
    negative: np.ndarray
    share: np.ndarray


def _is_share() -> ColumnElement[bool]:
    """Share-stage items as the digest counts them: a subreddit's stickied post (its moderators' megathread) is
    off the journey (`storage.journey`), in no window, baseline or negative share, and never evidence. Needs
    `mentions` in the FROM."""
    return on_moment(Moment.ULTIMATE.value)


def _is_negative_share() -> ColumnElement[bool]:
    return and_(_is_share(), classifications.c.sentiment == Sentiment.NEGATIVE.value)


def _date_known() -> ColumnElement[bool]:
    """Items whose written time is known. A feed's undated backlog is stored at its first fetch time
    (`Mention.date_known`): counted, shown or waited for, months of it made one hour a spike."""
    return mention_brands.c.date_known.is_(True)


def _judged_at() -> ColumnElement[datetime]:
    """When the window of a mention_brands row was judged: the first judgment past its time (NULL: not yet)."""
    return (
        select(alert_judgments.c.judged_at)
        .where(alert_judgments.c.brand == mention_brands.c.brand,
               alert_judgments.c.judged_until > mention_brands.c.created_at)
        .order_by(alert_judgments.c.judged_until).limit(1)
        .scalar_subquery()
    )


def _on_time(judged_until: datetime | None) -> ColumnElement[bool]:
    """Leaves out items written before `judged_until` (windows an earlier check judged) but fetched after it did.

    Such an item was not in its window's count when it was judged, and no
    check judges the window again: counted in later baselines and scan sums
    over earlier windows, a late batch held back the next real spike.
    Windows not judged yet count every item. Needs `mentions` in the FROM.
    """
    if judged_until is None:
        return true()
    fetched_after = mentions.c.fetched_at > func.coalesce(_judged_at(), mentions.c.fetched_at)  # no row: on time
    return not_(and_(mention_brands.c.created_at < judged_until, fetched_after))


def window_counts(engine: Engine, brand: str, window: timedelta, first: int, stop: int,
                  judged_until: datetime | None = None, origin: datetime = EPOCH) -> WindowCounts:
    """Share-stage counts per window for windows first..stop-1 (missing windows are zeros).

    Items of windows before `judged_until` count only if fetched by the time
    their window was judged (`_on_time`).
    """
    seconds = int(window.total_seconds())
    bucket = epoch_bucket(mention_brands.c.created_at, seconds, int((origin - EPOCH).total_seconds())).label("bucket")
    joined = mention_brands.join(classifications, classifications.c.mention_id == mention_brands.c.mention_id).join(
        mentions, mentions.c.id == mention_brands.c.mention_id)
    query = (
        select(bucket,
               func.sum(case((_is_negative_share(), 1), else_=0)).label("negative"),
               func.count().label("share"))
        .select_from(joined)
        .where(mention_brands.c.brand == brand,
               mention_brands.c.created_at >= window_start(first, window, origin),
               mention_brands.c.created_at < window_start(stop, window, origin),
               _is_share(), _date_known(), _on_time(judged_until))
        .group_by(bucket)
    )
    negative = np.zeros(max(stop - first, 0), dtype=int)
    share = np.zeros_like(negative)
    with engine.connect() as connection:
        for row in connection.execute(query):
            at = int(row.bucket) - first
            if 0 <= at < len(negative):
                negative[at] = int(row.negative or 0)
                share[at] = int(row.share or 0)
    return WindowCounts(first, negative, share)


def first_seen(engine: Engine, brand: str) -> datetime | None:
    """When the brand's oldest stored item was written: the start of its history."""
    with engine.connect() as connection:
        return connection.execute(
            select(func.min(mention_brands.c.created_at)).where(mention_brands.c.brand == brand)
        ).scalar_one_or_none()


def unclassified(engine: Engine, brand: str, since: datetime) -> tuple[int, datetime | None]:
    """Items of the brand written since `since` that wait for the classifier: how many, and the oldest's time.

    A window holding one cannot be judged yet: counted as if it were not
    negative, its window would be claimed and never judged again. Items of
    unknown date count in no window, so none waits for them.
    """
    query = (
        select(func.count(), func.min(mention_brands.c.created_at))
        .select_from(mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id).outerjoin(
            classifications, classifications.c.mention_id == mention_brands.c.mention_id))
        .where(mention_brands.c.brand == brand, mention_brands.c.created_at >= since, _date_known(),
               mentions.c.lang_supported.is_(True), classifications.c.mention_id.is_(None))
    )
    with engine.connect() as connection:
        count, oldest = connection.execute(query).one()
    return int(count or 0), oldest


def undated_items(engine: Engine, brand: str, since: datetime, until: datetime) -> int:
    """Negative share-stage items of unknown date stored at a time in [since, until): counted in no window."""
    query = (
        select(func.count())
        .select_from(mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id).join(
            classifications, classifications.c.mention_id == mention_brands.c.mention_id))
        .where(mention_brands.c.brand == brand, mention_brands.c.created_at >= since,
               mention_brands.c.created_at < until, mention_brands.c.date_known.is_(False), _is_negative_share())
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one() or 0)


def late_items(engine: Engine, brand: str, since: datetime, judged_until: datetime,
               checked_at: datetime) -> tuple[int, datetime | None]:
    """Negative share-stage items fetched after `checked_at` but written in [since, judged_until).

    Their windows were judged before they arrived, so no check will count
    them: how many, and when the oldest was written. `since` bounds the scan
    as the baseline bounds the counts.
    """
    query = (
        select(func.count(), func.min(mention_brands.c.created_at))
        .select_from(mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id).join(
            classifications, classifications.c.mention_id == mention_brands.c.mention_id))
        .where(mention_brands.c.brand == brand, mention_brands.c.created_at >= since,
               mention_brands.c.created_at < judged_until,
               mentions.c.fetched_at > checked_at, _is_negative_share(), _date_known())
    )
    with engine.connect() as connection:
        count, oldest = connection.execute(query).one()
    return int(count or 0), oldest


def evidence(engine: Engine, brand: str, since: datetime, until: datetime, limit: int = 5,
             judged_until: datetime | None = None) -> tuple[list[EvidenceItem], dict[str, int]]:
    """The most confidently negative share-stage items of a span, one per text, and how many each source gave.

    A spike is often one post shared or pasted many times (a copy-paste
    campaign, cross-posts), each copy with its own link or hashtag: five copies
    of it left no room for what else was said (`copy_key`). Late items are
    left out as the counts leave them out (`_on_time`).
    """
    joined = mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id).join(
        classifications, classifications.c.mention_id == mention_brands.c.mention_id)
    where = (mention_brands.c.brand == brand, mention_brands.c.created_at >= since,
             mention_brands.c.created_at < until, _is_negative_share(), _date_known(), _on_time(judged_until))
    top = (
        select(mentions.c.text, mentions.c.title, mentions.c.url, mentions.c.source, mentions.c.source_kind,
               mentions.c.created_at)
        .select_from(joined).where(*where)
        .order_by(classifications.c.sentiment_confidence.desc(), classifications.c.moment_confidence.desc(),
                  mentions.c.created_at, mentions.c.id)
        .limit(limit * _SCAN)
    )
    per_source = (
        select(mentions.c.source, func.count().label("n")).select_from(joined).where(*where)
        .group_by(mentions.c.source).order_by(func.count().desc(), mentions.c.source)
    )
    with engine.connect() as connection:
        items: dict[str, EvidenceItem] = {}
        for r in connection.execute(top):
            text = (f"{r.title}: {r.text}" if r.title and r.title not in r.text else r.text)[:_TEXT_LIMIT]
            items.setdefault(copy_key(text), EvidenceItem(
                text=text, url=r.url, source=r.source, source_kind=r.source_kind,
                created_at=r.created_at.isoformat().replace("+00:00", "Z"),
            ))
        sources = {r.source: int(r.n) for r in connection.execute(per_source)}
    return list(items.values())[:limit], sources
