"""The digest as data: every figure a renderer shows, and nothing a renderer computes.

`build.build_digest` fills these; HTML, Markdown and JSON only lay them out,
so the three formats cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Change:
    """A figure this period beside its comparison value; `delta` is in the figure's own unit.

    `delta` is None whenever either week has no data: a change against an
    empty week is no trend, and "+0" or "-100%" would read as one.
    """

    value: float | None  # None: no data this week (a share or a net of no items)
    previous: float | None
    delta: float | None  # value - previous, or % change for volumes (see `unit`)
    unit: str  # "%" (relative change) or "pts" (percentage points)


@dataclass(frozen=True, slots=True)
class Quote:
    """One item quoted in the digest; `text` is exactly what the author wrote (escaped only when rendered).

    `created_at` is None for an item of unknown date (a feed's undated backlog): the time stored for it is when
    it was fetched, and quoting that as its date told a reader a months-old review was written this week.
    """

    text: str
    url: str | None
    source: str
    moment: str
    sentiment: str
    created_at: datetime | None  # None: date unknown (`date_known` False)
    confidence: float
    date_known: bool = True
    # Reddit's NSFW (over_18): quoted only where the stage (or list) has no other item, and marked "NSFW" in every
    # format: a brand manager forwards the digest, and an unmarked NSFW quote surprised the colleagues it reached.
    nsfw: bool = False


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase used more than its baseline: z of the log-odds ratio with a Dirichlet prior."""

    term: str
    count: int  # this week's items of the group that use it (an item counts once, and copies of one post too)
    baseline_count: int  # items of the comparison group that use it
    z: float


@dataclass(frozen=True, slots=True)
class Touchpoint:
    source: str
    count: int
    share: float  # of the stage's volume, 0..100


@dataclass(slots=True)
class StageFigures:
    """One column of the journey map."""

    name: str
    moments: list[str]
    derived: str | None  # None, "retention" (repeat authors, loyalty/churn language) or "comparison"
    volume: int
    sentiment: dict[str, int]
    net_sentiment: float | None  # (positive - negative) / volume × 100
    baseline: float  # mean weekly volume over the baseline weeks (Digest.baseline_weeks)
    change_vs_baseline: float | None  # % change of volume against `baseline`
    # weekly volumes, oldest first, ending with this week; None: not measured that week (before the brand's
    # first item, or before a cue-measured stage's baseline)
    history: list[int | None]
    touchpoints: list[Touchpoint] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    emerging_terms: list[Term] = field(default_factory=list)
    pain_points: list[Term] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # retention: repeat authors, loyalty, churn
    # Of `volume`: items of unknown date (a feed's backlog, stored when read). Counted in the week, left out of
    # `baseline` and `change_vs_baseline`, which compare items of known date.
    undated: int = 0


@dataclass(frozen=True, slots=True)
class Headline:
    volume: Change
    net_sentiment: Change  # points, -100..100
    negative_share_talk: Change  # negative share-stage items as % of journey items
    negative_share_count: int
    journey_items: int
    # Of the week's mentions (and last week's): items of unknown date, a feed's backlog stored when it was read.
    # `volume.delta` is the change in items of known date: a backlog read in one week is no growth.
    undated: int = 0
    undated_previous: int = 0
    # Where either week has items of unknown date: net sentiment and the negative share over the journey items of
    # known date. `net_sentiment.delta` and `negative_share_talk.delta` are then these changes (their values count
    # every journey item of the week, the backlog too), as `volume.delta` is. None: no item of unknown date.
    net_sentiment_known_date: Change | None = None
    negative_share_talk_known_date: Change | None = None


@dataclass(frozen=True, slots=True)
class Trend:
    """Moment × sentiment per week, oldest first."""

    weeks: list[str]
    # moment -> sentiment -> weekly counts; None: a week before `Digest.data_from` (no data, not 0)
    counts: dict[str, dict[str, list[int | None]]]


@dataclass(frozen=True, slots=True)
class FailedSource:
    source: str
    failures: int
    last_error: str | None
    last_failed_at: datetime


@dataclass(frozen=True, slots=True)
class Coverage:
    mentions: int
    classified: int
    not_classifiable: int  # language not supported by the classifier
    awaiting_classification: int
    needs_review: int
    failed_sources: list[FailedSource]
    off_journey: int = 0  # classified, moment none: in the mentions, on no stage
    undated: int = 0  # of `mentions`: of unknown date (a feed's backlog, stored when read)
    stickied: int = 0  # of `off_journey`: moderators' stickied Reddit posts (megathreads) and pinned forum topics, no customer's talk


@dataclass(slots=True)
class Digest:
    """One brand's week."""

    brand: str
    week: str  # ISO label, 2026-W47
    week_start: str  # local dates, inclusive
    week_end: str
    timezone: str
    stage_model: str
    stage_names: list[str]
    headline: Headline
    stages: list[StageFigures]
    trend: Trend
    negative_share_items: list[Quote]
    alerts: list[dict[str, Any]]
    coverage: Coverage
    generated_at: datetime
    # Set while the week is still running: the local time the data runs to, and the note every format shows.
    data_to: datetime | None = None
    partial_note: str | None = None
    highlights: list[str] = field(default_factory=list)  # opening sentences (highlights.py)
    terms_listed: bool = True  # False: digest.terms_per_stage is 0, no terms were looked for
    # Journey items in the four weeks before: 0 (a brand's first week) leaves emerging terms nothing to compare with.
    baseline_items: int = 0
    # When the brand's oldest stored item was written (the digest's timezone); None: nothing is stored for it.
    first_item: datetime | None = None
    # When the counted weeks begin: `first_item`, or for a brand with no item by the week's end the oldest item
    # stored from the config's sources (weeks its sources were read count 0, not no data). Weeks before it are
    # None in `history` and `trend.counts` (this week never is); None: nothing is stored at all.
    data_from: datetime | None = None
    # Where the brand was added to the config after its sources had been read: the newest item read before its
    # first run (the digest's timezone). What they held until then was never matched against it, so the weeks up to
    # the one holding this time are None in `history` and `trend.counts` ('not tracked'; `data_from` is never
    # earlier than the week after). None: every item its sources stored was read with it in the config.
    tracked_since: datetime | None = None
    # The weeks before this one that changes are measured against: four, fewer for a brand first seen since.
    baseline_weeks: int = 4
    # Classifier model version -> the items of the trend's weeks it tagged (every item the digest counts): which
    # model the figures come from, and whether it is the one the model card measures.
    model_versions: dict[str, int] = field(default_factory=dict)
    # Journey moments a custom stage mapping leaves out -> this week's items of each: in the headline, on no stage.
    unmapped: dict[str, int] = field(default_factory=dict)
    charts: dict[str, bytes] = field(default_factory=dict)  # name -> PNG, filled by charts.add_charts

    def as_dict(self) -> dict[str, Any]:
        """Every figure as plain data (charts left out: they are pictures of these figures)."""
        data = asdict(self)
        data.pop("charts")
        return data
