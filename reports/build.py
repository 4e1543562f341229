"""From the database to a `Digest`: one brand, one ISO week, every figure.

The counts come from one grouped query over eight weeks
(`storage.digest_queries.brand_week_counts`); Python only adds those few
hundred groups up into stages. Quotes, the most negative share-stage items
and the texts for term statistics are separate, bounded queries.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine

from journeywatch.copies import copy_key
from journeywatch.domain import MOMENTS, SENTIMENTS
from journeywatch.settings import Config
from journeywatch.stages import (
    CHURN_PATTERNS,
    COMPARISON_PATTERNS,
    LOYALTY_PATTERNS,
    StageModel,
    resolve_stage_model,
)
from journeywatch.storage import failures_between
from journeywatch.storage.digest_queries import (
    CountRow,
    Cues,
    ItemRow,
    TermText,
    brand_week_counts,
    first_mention_time,
    first_stored_time,
    model_versions,
    most_confident,
    repeat_authors,
    texts_for_terms,
    top_items,
    tracked_since,
)

from .model import Change, Coverage, Digest, FailedSource, Headline, Quote, StageFigures, Term, Touchpoint, Trend
from .fired_alerts import fired_alerts
from .highlights import highlights
from .terms import TermCounter, top_terms
from .weeks import Week, week_edges, week_of

TREND_WEEKS = 8  # the moment × sentiment chart
BASELINE_WEEKS = 4  # stage change and emerging terms compare against this many weeks before
COPIES_READ = 20  # candidates read per quote: copies of one post (read once) may fill a group's first rows
TERM_SAMPLE = 4000  # most texts per period tokenised for term statistics (a systematic sample above)
CUES = Cues(loyalty=LOYALTY_PATTERNS, churn=CHURN_PATTERNS, comparison=COMPARISON_PATTERNS)
SHARE, NEGATIVE = "ultimate_moment", "negative"


def _pct_change(value: float, previous: float | None) -> float | None:
    if previous is None or previous == 0:
        return None
    return round((value - previous) / previous * 100, 1)


def _points(value: float | None, previous: float | None) -> float | None:
    if value is None or previous is None:
        return None
    return round(value - previous, 1)


def _net(sentiment: dict[str, int]) -> float | None:
    total = sum(sentiment.values())
    if total == 0:
        return None
    return round((sentiment.get("positive", 0) - sentiment.get("negative", 0)) / total * 100, 1)


class _Tally:
    """The grouped counts of eight weeks, summed the ways the digest needs them."""

    def __init__(self, rows: Iterable[CountRow], model: StageModel, weeks: int) -> None:
        self.weeks = weeks
        self.volume = [0] * weeks
        self.undated = [0] * weeks  # of `volume`: items of unknown date (a feed's backlog, stored when read)
        self.journey = [0] * weeks
        self.by_moment: dict[str, dict[str, list[int]]] = {
            m: {s: [0] * weeks for s in SENTIMENTS} for m in MOMENTS
        }
        # Of `by_moment`: the items of unknown date, so the headline's changes can compare items of known date.
        self.undated_by_moment: dict[str, dict[str, list[int]]] = {
            m: {s: [0] * weeks for s in SENTIMENTS} for m in MOMENTS
        }
        self.stage_volume: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
        self.stage_undated: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
        self.stage_sentiment: dict[str, Counter[str]] = defaultdict(Counter)
        self.stage_sources: dict[str, Counter[str]] = defaultdict(Counter)
        self.cues: Counter[str] = Counter()
        self.not_classifiable = self.awaiting = self.needs_review = 0
        self.stickied = 0  # this week's classified stickied posts: moderators', off the journey (moment "none")
        current = weeks - 1
        for row in rows:
            if not 0 <= row.bucket < weeks:
                continue
            b, n = row.bucket, row.count
            self.volume[b] += n
            if not row.date_known:
                self.undated[b] += n
            if row.moment is None:
                if b == current:
                    if row.lang_supported:
                        self.awaiting += n
                    else:
                        self.not_classifiable += n
                continue
            if row.moment not in self.by_moment:  # a label this code does not know: count it, show it nowhere
                continue
            self.by_moment[row.moment][row.sentiment or "neutral"][b] += n
            if row.stickied and b == current:
                self.stickied += n
            if not row.date_known:
                self.undated_by_moment[row.moment][row.sentiment or "neutral"][b] += n
            if b == current and row.needs_review:
                self.needs_review += n
            if row.moment == "none":
                continue
            self.journey[b] += n
            stages = [model.stage_for(row.moment, row.compares)]
            if row.cue and model.retention_stage:
                stages.append(model.retention_stage)
                if b == current:
                    self.cues[row.cue] += n
            for stage in stages:
                if stage is None:
                    continue
                self.stage_volume[stage][b] += n
                if not row.date_known:
                    self.stage_undated[stage][b] += n
                if b == current:
                    self.stage_sentiment[stage][row.sentiment or "neutral"] += n
                    self.stage_sources[stage][row.source or ""] += n

    def dated(self, bucket: int) -> int:
        """The week's mentions of known date: what a change in volume compares."""
        return self.volume[bucket] - self.undated[bucket]

    def moment_sentiment(self, bucket: int, moment: str, sentiment: str, dated: bool = False) -> int:
        """The week's items of `moment` and `sentiment`; `dated`: of known date only."""
        undated = self.undated_by_moment[moment][sentiment][bucket] if dated else 0
        return self.by_moment[moment][sentiment][bucket] - undated

    def sentiment_totals(self, bucket: int, dated: bool = False) -> dict[str, int]:
        """The week's journey items per sentiment; `dated`: of known date only."""
        return {s: sum(self.moment_sentiment(bucket, m, s, dated) for m in MOMENTS if m != "none")
                for s in SENTIMENTS}


def _headline(tally: _Tally) -> Headline:
    now, before = tally.weeks - 1, tally.weeks - 2

    def neg_share(b: int, dated: bool = False) -> float | None:
        journey = sum(tally.sentiment_totals(b, dated).values()) if dated else tally.journey[b]
        return round(tally.moment_sentiment(b, SHARE, NEGATIVE, dated) / journey * 100, 1) if journey else None

    net_now, net_before = _net(tally.sentiment_totals(now)), _net(tally.sentiment_totals(before))
    share_now, share_before = neg_share(now), neg_share(before)
    net, share = Change(net_now, net_before, _points(net_now, net_before), "pts"), \
        Change(share_now, share_before, _points(share_now, share_before), "pts")
    net_known = share_known = None
    if tally.undated[now] or tally.undated[before]:
        # The week's figures count a feed's backlog (unknown date, stored when read); their changes, as the
        # volume's, compare items of known date: 30 old one-star reviews read in one week moved net sentiment
        # -46 pts.
        known_now, known_before = _net(tally.sentiment_totals(now, True)), _net(tally.sentiment_totals(before, True))
        net_known = Change(known_now, known_before, _points(known_now, known_before), "pts")
        share_now_known, share_before_known = neg_share(now, dated=True), neg_share(before, dated=True)
        share_known = Change(share_now_known, share_before_known, _points(share_now_known, share_before_known),
                             "pts")
        net = dataclasses.replace(net, delta=net_known.delta)
        share = dataclasses.replace(share, delta=share_known.delta)
    volume, previous = tally.volume[now], tally.volume[before]
    # A feed's backlog read this week (hundreds of items of unknown date) is no growth: the change is in items
    # of known date, both weeks.
    growth = _pct_change(tally.dated(now), tally.dated(before))
    return Headline(
        volume=Change(volume, previous, growth if volume else None, "%"),
        net_sentiment=net,
        negative_share_talk=share,
        negative_share_count=tally.moment_sentiment(now, SHARE, NEGATIVE),
        journey_items=tally.journey[now],
        undated=tally.undated[now],
        undated_previous=tally.undated[before],
        net_sentiment_known_date=net_known,
        negative_share_talk_known_date=share_known,
    )


def _quote(item: ItemRow, zone: ZoneInfo) -> Quote:
    """The item as a quote, dated in the digest's timezone; an item of unknown date is quoted undated.

    A feed's undated backlog is stored at its fetch time: dated by it, a months-old review read 'Tue 24 Nov'.
    """
    text = f"{item.title}. {item.text}" if item.title and not item.text.startswith(item.title) else item.text
    return Quote(text=text, url=item.url, source=item.source, moment=item.moment, sentiment=item.sentiment,
                 created_at=item.created_at.astimezone(zone) if item.date_known else None,
                 confidence=round(item.moment_confidence * item.sentiment_confidence, 3),
                 date_known=item.date_known, nsfw=item.nsfw)


def _safe_first(candidates: list[ItemRow]) -> tuple[list[ItemRow], list[ItemRow]]:
    """(the items not marked NSFW, those marked): a digest is forwarded to colleagues, and an NSFW post is quoted
    (marked) only to fill a place no other item can."""
    return [i for i in candidates if not i.nsfw], [i for i in candidates if i.nsfw]


def _pick_quotes(candidates: list[ItemRow], sentiment: dict[str, int], limit: int, zone: ZoneInfo) -> list[Quote]:
    """Up to `limit` quotes, one per sentiment in turn, the stage's louder polar side first; NSFW items only
    where the others run out, whatever their sentiment or confidence."""
    safe, nsfw = _safe_first(candidates)
    picked = _pick_in_turn(safe, sentiment, limit, zone, [])
    return _pick_in_turn(nsfw, sentiment, limit, zone, picked) if len(picked) < limit else picked


def _pick_in_turn(
    candidates: list[ItemRow], sentiment: dict[str, int], limit: int, zone: ZoneInfo, picked: list[Quote],
) -> list[Quote]:
    """`picked` and up to `limit` in all from `candidates`, one per sentiment in turn, surest first."""
    polar = sorted(("negative", "positive"), key=lambda s: -sentiment.get(s, 0))
    order = [s for s in (*polar, "neutral") if sentiment.get(s, 0)]
    by_sentiment: dict[str, list[ItemRow]] = defaultdict(list)
    for item in sorted(candidates, key=lambda i: (i.url is None, -i.moment_confidence * i.sentiment_confidence)):
        by_sentiment[item.sentiment].append(item)
    picked = list(picked)
    while len(picked) < limit and any(by_sentiment[s] for s in order):
        for s in order:
            while by_sentiment[s] and len(picked) < limit:
                quote = _quote(by_sentiment[s].pop(0), zone)
                # reposts and copies read once
                if all(copy_key(quote.text) != copy_key(p.text) for p in picked):
                    picked.append(quote)
                    break
    return picked


def _distinct(quotes: list[Quote], limit: int) -> list[Quote]:
    kept: dict[str, Quote] = {}
    for quote in quotes:
        kept.setdefault(copy_key(quote.text), quote)
    return list(kept.values())[:limit]


def _retention_quotes(
    candidates: list[ItemRow], quoted: dict[str, list[Quote]], sentiment: dict[str, int], limit: int,
    zone: ZoneInfo,
) -> list[Quote]:
    """The retention stage's quotes: items no other stage quoted first, then the others to fill up.

    Falling back to every candidate whenever fewer than `limit` were fresh
    dropped the fresh one: a week's only unquoted churn post ("Cancelled my
    subscription") gave way to the share stage's PSA and the use stage's renewal.
    """
    shown = {copy_key(q.text) for other in quoted.values() for q in other}
    picked: list[Quote] = []
    # Another stage's quote comes before an NSFW item: the NSFW one only where nothing else is left.
    for group in _safe_first(candidates):
        fresh = [i for i in group if copy_key(_quote(i, zone).text) not in shown]
        rest = [i for i in group if i not in fresh]
        for pool in (fresh, rest):
            if len(picked) < limit:
                picked = _distinct(picked + _pick_in_turn(pool, sentiment, limit - len(picked), zone, []), limit)
    return picked


def _stage_candidates(items: list[ItemRow], model: StageModel, stage: str) -> list[ItemRow]:
    if stage == model.retention_stage:
        return [i for i in items if i.cue]
    return [i for i in items if model.stage_for(i.moment, i.compares) == stage]


_QUERY_OPERATORS = frozenset({"AND", "OR", "NOT"})


def query_names(config: Config, brand: str) -> list[str]:
    """The words and quoted phrases of the brand's watch query: its other names ('acmeair', "acme air").

    Every item matches the query, so these say who the item is about, not what;
    stopping only the display name let "nwcoffee" and "north wind roasters"
    emerge in the week people used those names more.
    """
    query = next((b.query for b in config.brands if b.name == brand), "")
    return [phrase or word for phrase, word in re.findall(r'"([^"]*)"|([^\s()"]+)', query)
            if phrase or (word not in _QUERY_OPERATORS and not word.startswith("@"))]  # handles: never counted


def _terms_by_stage(
    engine: Engine, config: Config, brand: str, model: StageModel, since: datetime, start: datetime, end: datetime, limit: int,
    sizes: tuple[int, int],
) -> dict[str, tuple[list[Any], list[Any]]]:
    """(emerging terms, pain points) per stage: this week vs the baseline weeks; negatives vs the rest.

    `sizes` are the journey items of the week and of the baseline; above
    TERM_SAMPLE each is sampled down to about TERM_SAMPLE texts.
    """
    strides = tuple(max(1, -(-size // TERM_SAMPLE)) for size in sizes)
    texts = _one_per_copy(texts_for_terms(engine, brand, since, start, end, CUES, strides))  # type: ignore[arg-type]
    if not texts or limit <= 0:
        return {}
    # The brand is in every text: its words, its handle and the other names its query watches are no news.
    counter = TermCounter([t.text for t in texts], extra_stop_words=[brand, *query_names(config, brand)],
                          authors=[t.author for t in texts])
    current = np.array([t.current for t in texts])
    negative = np.array([t.sentiment == NEGATIVE for t in texts])
    # A feed's backlog (unknown date, stored when read) is no week's talk: its words 'emerged' in the week read.
    known = np.array([t.date_known for t in texts])
    out: dict[str, tuple[list[Any], list[Any]]] = {}
    for stage in model.stages:
        if stage == model.retention_stage:
            in_stage = np.array([t.cue is not None for t in texts])
        else:
            in_stage = np.array([model.stage_for(t.moment, t.compares) == stage for t in texts])
        in_stage &= known
        emerging = top_terms(counter, in_stage & current, in_stage & ~current, limit=limit)
        pains = top_terms(counter, in_stage & current & negative, in_stage & ~(current & negative), limit=limit,
                          min_count=2)
        week_stride, baseline_stride = strides
        out[stage] = (_scaled(emerging, week_stride, baseline_stride), _scaled(pains, week_stride, 1))
    return out


def _one_per_copy(texts: list[TermText]) -> list[TermText]:
    """The texts with copies of one post (`copy_key`) counted once in each period, as the quotes are.

    One post pasted by five accounts (a copy-paste campaign) was five items from five authors, and its
    words the week's pain points.
    """
    kept: dict[tuple[bool, str], TermText] = {}
    for text in texts:
        kept.setdefault((text.current, copy_key(text.text)), text)
    return list(kept.values())


def _scaled(terms: list[Term], week_stride: int, baseline_stride: int) -> list[Term]:
    """Sampled counts as estimates of the whole week's (and baseline's): every n-th text was read.

    Unscaled, a busy week's "(100)" beside a term meant some 300 items, and a
    rising term's two figures were counted at different rates. A pain point's
    comparison group mixes both periods, so only its week count is scaled.
    """
    return [dataclasses.replace(t, count=t.count * week_stride, baseline_count=t.baseline_count * baseline_stride)
            for t in terms]


def _first_bucket(first_item: datetime | None, edges: list[datetime]) -> int:
    """The week bucket `first_item` falls in (this week at the latest: its figures are always shown)."""
    current = len(edges) - 2
    if first_item is None:
        return current
    return min(sum(1 for edge in edges[1:] if edge <= first_item), current)


def _data_from(engine: Engine, config: Config, first_item: datetime | None, end: datetime,
               tracked: datetime | None) -> datetime | None:
    """When the brand's counted weeks begin: its first item; for a brand with none by the week's end, the first
    item stored from the config's sources (its query matched nothing in the weeks they were read); and never
    before the week after `tracked` (`tracked_since`), the first whose items were all read with the brand.

    A brand whose query matched nothing read 0 for this week and null for the seven before, in a database
    holding months of its sources' items; one added to the config later read 0 for the weeks read before.
    """
    data_from = first_item if first_item is not None and first_item < end else \
        first_stored_time(engine, own_sources(config))
    if tracked is None:
        return data_from
    tz = config.digest.timezone
    complete = week_of(tracked.astimezone(ZoneInfo(tz)).date()).end_utc(tz)
    return complete if data_from is None or data_from < complete else data_from


def _no_data_before(counts: dict[str, dict[str, list[int]]], first: int) -> dict[str, dict[str, list[int | None]]]:
    """Weekly counts with the weeks before the brand's first item as None: a 0 there read as a measured quiet week."""
    return {moment: {sentiment: [None] * first + weekly[first:] for sentiment, weekly in by_sentiment.items()}
            for moment, by_sentiment in counts.items()}


def own_sources(config: Config) -> frozenset[str] | None:
    """The config's source names, bad entries included (`run` records them as failed); None where it lists none.

    Several configs may share one database: a second team's source failing was a 'Coverage gap' in the first
    team's digest. A config listing no source (one kept for digests alone) cannot tell whose a failure is.
    """
    names = [source.name for source in config.sources] + [name for name, _ in config.source_errors]
    return frozenset(names) if names else None


def _coverage(engine: Engine, tally: _Tally, start: datetime, end: datetime,
              sources: frozenset[str] | None) -> Coverage:
    failed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for failure in failures_between(engine, start, end, sources):
        failed[failure["source"]].append(failure)
    now = tally.weeks - 1
    return Coverage(
        mentions=tally.volume[now],
        undated=tally.undated[now],
        classified=tally.volume[now] - tally.not_classifiable - tally.awaiting,
        not_classifiable=tally.not_classifiable,
        awaiting_classification=tally.awaiting,
        needs_review=tally.needs_review,
        off_journey=sum(tally.by_moment["none"][s][now] for s in SENTIMENTS),
        stickied=tally.stickied,
        failed_sources=[
            FailedSource(source, len(rows), rows[-1]["error"], rows[-1]["finished_at"])
            for source, rows in sorted(failed.items())
        ],
    )


def build_digest(engine: Engine, config: Config, brand: str, week: Week) -> Digest:
    """Every figure of `brand`'s digest for `week` (weeks in `config.digest.timezone`)."""
    settings = config.digest
    tz = settings.timezone
    model = resolve_stage_model(settings.stages)
    edges = week_edges(week, tz, TREND_WEEKS - 1)
    start, end = edges[-2], edges[-1]
    baseline_start = edges[-2 - BASELINE_WEEKS]
    tally = _Tally(brand_week_counts(engine, brand, edges, CUES, baseline_start), model, TREND_WEEKS)
    items = top_items(engine, brand, start, end, CUES,
                      per_group=max(settings.quotes_per_stage, 1) * COPIES_READ)
    sizes = (tally.journey[TREND_WEEKS - 1], sum(tally.journey[TREND_WEEKS - 1 - BASELINE_WEEKS:TREND_WEEKS - 1]))
    terms = _terms_by_stage(engine, config, brand, model, baseline_start, start, end, settings.terms_per_stage,
                            sizes)
    now = TREND_WEEKS - 1
    first_item = first_mention_time(engine, brand)
    # Added to the config after its sources were read: the weeks read before hold nothing of it, not a quiet 0.
    tracked = tracked_since(engine, brand, own_sources(config))
    data_from = _data_from(engine, config, first_item, end, tracked)
    first = _first_bucket(data_from, edges)
    # Weeks before the brand's first item are not zeros to average in: a steady second week read '+300%'.
    baseline_weeks = min(BASELINE_WEEKS, now - first)
    # The retention stage's items are other stages' items too: it quotes last, and not what they quoted
    # (the same forum post stood under both share and complete), unless it has nothing else.
    quotes: dict[str, list[Quote]] = {}
    for stage in sorted(model.stages, key=lambda name: name == model.retention_stage):
        candidates = _stage_candidates(items, model, stage)
        sentiment_now = {s: tally.stage_sentiment[stage].get(s, 0) for s in SENTIMENTS}
        if stage == model.retention_stage:
            quotes[stage] = _retention_quotes(candidates, quotes, sentiment_now, settings.quotes_per_stage,
                                              ZoneInfo(tz))
        else:
            quotes[stage] = _pick_quotes(candidates, sentiment_now, settings.quotes_per_stage, ZoneInfo(tz))
    stages = []
    for stage in model.stages:
        counted = list(tally.stage_volume[stage])
        undated = tally.stage_undated[stage]
        # The change is in items of known date: a feed's backlog, read in one week, is no move of that week's talk.
        dated = [n - u for n, u in zip(counted, undated)]
        baseline = sum(dated[now - BASELINE_WEEKS:now]) / baseline_weeks if baseline_weeks else 0.0
        # Cue language (retention, comparison) is matched only from the baseline weeks on: before them
        # these stages were not measured, and 0 there would read as a quiet week.
        measured_from = now - BASELINE_WEEKS if stage == model.retention_stage or stage in (
            model.comparison_split or ()) else 0
        measured_from = max(measured_from, first)
        history: list[int | None] = [None] * measured_from + counted[measured_from:]
        sentiment = {s: tally.stage_sentiment[stage].get(s, 0) for s in SENTIMENTS}
        volume = counted[now]
        sources = tally.stage_sources[stage].most_common(3)
        figures = StageFigures(
            name=stage,
            moments=list(model.moments_of(stage)),
            derived="retention" if stage == model.retention_stage else
                    "comparison" if model.comparison_split and stage in model.comparison_split else None,
            volume=volume,
            sentiment=sentiment,
            net_sentiment=_net(sentiment),
            baseline=round(baseline, 2),
            # An empty week has no trend: '-100%' on every stage would read as one.
            change_vs_baseline=_pct_change(dated[now], baseline) if tally.volume[now] else None,
            history=history,
            touchpoints=[Touchpoint(s, n, round(n / volume * 100, 1)) for s, n in sources],
            quotes=quotes[stage],
            emerging_terms=terms.get(stage, ([], []))[0],
            pain_points=terms.get(stage, ([], []))[1],
            undated=undated[now],
        )
        if stage == model.retention_stage:
            authors, repeat = repeat_authors(engine, brand, edges[0], start, end)
            figures.extra = {
                "authors": authors,
                "repeat_authors": repeat,
                "repeat_author_share": round(repeat / authors * 100, 1) if authors else None,
                "loyalty_mentions": tally.cues.get("loyalty", 0),
                "churn_mentions": tally.cues.get("churn", 0),
                "history_weeks": TREND_WEEKS - 1,
                # 0: the weeks the repeat authors are looked for in hold nothing (a brand's first week)
                "history_items": sum(tally.volume[:now]),
            }
        stages.append(figures)
    unmapped = {m: sum(tally.by_moment[m][s][now] for s in SENTIMENTS) for m in MOMENTS
                if m != "none" and not model.stage_for(m) and not model.stage_for(m, True)}
    oldest = week.shift(-(TREND_WEEKS - 1))
    generated = datetime.now(timezone.utc).replace(microsecond=0)
    data_to = generated.astimezone(ZoneInfo(tz)) if generated < end else None
    digest = Digest(
        brand=brand,
        week=week.label,
        week_start=week.monday.isoformat(),
        week_end=week.sunday.isoformat(),
        timezone=tz,
        stage_model=model.name,
        stage_names=list(model.stages),
        headline=_headline(tally),
        stages=stages,
        trend=Trend(weeks=[oldest.shift(i).label for i in range(TREND_WEEKS)], counts=_no_data_before(
            tally.by_moment, first)),
        negative_share_items=_distinct([_quote(i, ZoneInfo(tz)) for i in most_confident(
            engine, brand, start, end, SHARE, NEGATIVE, settings.top_negative * COPIES_READ)],
            settings.top_negative),
        alerts=fired_alerts(engine, brand, start, end),
        coverage=_coverage(engine, tally, start, end, own_sources(config)),
        generated_at=generated,
        data_to=data_to,
        unmapped=unmapped,
        terms_listed=settings.terms_per_stage > 0,
        baseline_items=sizes[1],
        baseline_weeks=baseline_weeks,
        model_versions=model_versions(engine, brand, edges[0], end),
        first_item=None if first_item is None else first_item.astimezone(ZoneInfo(tz)),
        data_from=None if data_from is None else data_from.astimezone(ZoneInfo(tz)),
        tracked_since=None if tracked is None else tracked.astimezone(ZoneInfo(tz)),
        partial_note=None if data_to is None else  # 'Wed 4 Nov', as the period and the quotes date it
        f"Partial week, data to {data_to:%a} {data_to.day} {data_to:%b %H:%M} ({tz}); changes compare it with "
        "full weeks",
    )
    digest.highlights = highlights(digest)
    return digest
