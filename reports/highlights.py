"""Three or four sentences a brand manager reads first, chosen from the digest's own figures.

Nothing here is new data: each sentence restates a figure the digest shows
further down (the biggest stage move, the most negative stage, alerts, the
loudest emerging term), so the top of the email and its body cannot disagree.
"""

from __future__ import annotations

from typing import Any

from .fired_alerts import began_before_week
from .formatting import BACKLOG, baseline_text, count, previous_weeks, signed, untracked, untracked_weeks
from .model import Digest, StageFigures

# Said where the config's sources have stored nothing at all (`Digest.data_from` is None), in the highlights and
# the `digest` command's note alike.
NOTHING_COLLECTED = "nothing has been collected from the config's sources yet"
MIN_ITEMS = 5  # a stage this quiet does not make a headline, whatever its percentage


def _biggest_move(stages: list[StageFigures], weeks: int) -> str | None:
    moving = [s for s in stages if s.change_vs_baseline is not None and s.volume >= MIN_ITEMS]
    if not moving:
        return None
    stage = max(moving, key=lambda s: abs(s.change_vs_baseline or 0))
    if abs(stage.change_vs_baseline or 0) < 1:  # 'down 0%' read as a fall
        busiest = max(moving, key=lambda s: s.volume)
        against = "last week" if weeks == 1 else "its weekly average"  # the period is named with the figure
        return (f"No stage moved: each is within 1% of {against} (the busiest, {busiest.name}, had "
                f"{_compared(busiest)} this week, {baseline_text(busiest.baseline, weeks)}).")
    direction = "up" if (stage.change_vs_baseline or 0) > 0 else "down"
    # The period is named once, with the baseline: '(6248 items, 2032.0 a week before)' read as last week's count.
    return (f"Biggest move: {stage.name} talk is {direction} {abs(stage.change_vs_baseline or 0):,.0f}% "
            f"({_compared(stage)} this week, {baseline_text(stage.baseline, weeks)}).")


def _compared(stage: StageFigures) -> str:
    """The stage's items its change compares: '250 items' beside '10.0 a week before' read as a 25-fold rise
    where 240 were a feed's backlog of unknown date."""
    return f"{count(stage.volume - stage.undated)} of known date" if stage.undated else count(stage.volume)


def _undated(digest: Digest) -> str | None:
    """'240 of this week's 250 mentions are of unknown date': a new feed's backlog, said before it is read as news."""
    h = digest.headline
    if not h.undated:
        return None
    total = int(h.volume.value or 0)
    return (f"{h.undated:,} of this week's {total:,} mentions are of unknown date ({BACKLOG}): counted in "
            "the week's figures; their changes (in volume, net sentiment and negative share-stage talk) and the "
            "emerging terms and pain points compare items of known date.")


def _so_far(stages: list[StageFigures], weeks: int) -> str | None:
    """A running week's first line: where the talk is so far, with no move against whole weeks.

    "share talk is down 71% on its four-week average" on a Tuesday compared
    two days with whole weeks: every stage read as collapsing.
    """
    # A feed's backlog of unknown date is no talk of the week so far: "share talk leads with 35 items (22 a week
    # on average)" was 5 posts and 30 old reviews, set beside a baseline of items of known date.
    busy = [s for s in stages if s.volume - s.undated]
    if not busy:
        return None
    stage = max(busy, key=lambda s: s.volume - s.undated)
    before = f" ({baseline_text(stage.baseline, weeks)})" if weeks else ""
    return (f"Week so far: {stage.name} talk leads with {_compared(stage)}{before}; "
            "moves are judged when the week is over.")


def _most_negative(stages: list[StageFigures]) -> str | None:
    rated = [s for s in stages if s.net_sentiment is not None and s.volume >= MIN_ITEMS]
    if not rated:
        return None
    stage = min(rated, key=lambda s: s.net_sentiment or 0)
    if (stage.net_sentiment or 0) >= 0:
        judged = f" of {MIN_ITEMS} items or more" if _too_few(stages) else ""
        return f"No stage{judged} leans negative; the lowest is {stage.name} at net {signed(stage.net_sentiment or 0)}."
    return (f"Most negative stage: {stage.name}, net sentiment {signed(stage.net_sentiment or 0)} "
            f"({stage.sentiment['negative']:,} of {count(stage.volume)} negative).")


def _too_few(stages: list[StageFigures]) -> list[StageFigures]:
    """Stages with talk, but too little for a move or a sentiment to be judged."""
    return [s for s in stages if 0 < s.volume < MIN_ITEMS]


def _too_few_line(stages: list[StageFigures]) -> str | None:
    """'Too few items to highlight: purchase (3 items)': said, not left out.

    The lines above judge only stages of MIN_ITEMS or more; three furious purchase-stage items left
    out unsaid read as a week where nothing happened there ("No stage leans negative").
    """
    quiet = _too_few(stages)
    if not quiet:
        return None
    named = ", ".join(f"{s.name} ({count(s.volume)})" for s in quiet)
    return f"Too few items to highlight: {named}; read them below."


def _emerging(stages: list[StageFigures], weeks: int) -> str | None:
    candidates = [(t.z, s.name, t.term, t.count, t.baseline_count) for s in stages for t in s.emerging_terms]
    if not candidates:
        return None
    _, stage, term, now, before = max(candidates)
    if not before:  # "new" only when the four weeks before never used it
        return f"New this week in {stage}: “{term}” ({count(now)}, none in {previous_weeks(weeks)})."
    return f"Rising in {stage}: “{term}” ({count(now)} this week, {before:,} in {previous_weeks(weeks)})."


def _alerts_line(alerts: list[dict[str, Any]]) -> str | None:
    """How many spike alerts fired in the week, and how many begun earlier were still flagged in it."""
    earlier = sum(1 for alert in alerts if began_before_week(alert))
    fired = len(alerts) - earlier
    carried = (f"{earlier} spike alert{'s' if earlier != 1 else ''} that began before this week "
               f"{'were' if earlier != 1 else 'was'} still flagged in it")
    if fired and earlier:
        return (f"{fired} spike alert{'s' if fired != 1 else ''} fired on negative share-stage talk this week, "
                f"and {carried}.")
    if fired:
        return f"{fired} spike alert{'s' if fired != 1 else ''} fired on negative share-stage talk this week."
    if earlier:
        return f"On negative share-stage talk, {carried}."
    return None


def _tracked(digest: Digest) -> str | None:
    """Where the brand was added to the config after its sources had been read, and this week or a week the trend
    shows was read before: said first, as it qualifies every figure of those weeks."""
    when = digest.tracked_since
    if when is None:
        return None
    since = (f"{digest.brand} was not tracked before {when:%a} {when.day} {when:%b %H:%M} ({digest.timezone}): it "
             "was added to the config after its sources had been read up to then")
    if untracked(digest, digest.week):
        return f"{since}, so this week's figures count only what was collected since."
    before = untracked_weeks(digest)
    if before:
        return f"{since}, so the weeks to {before[-1]} are shown as not tracked."
    return None


def highlights(digest: Digest) -> list[str]:
    """The digest's opening lines, most important first; plain text (escape when rendering)."""
    tracked = _tracked(digest)
    if digest.first_item is None and digest.data_from is None:  # nothing read from its sources: not the query's fault
        return [f"Nothing is stored for {digest.brand} yet: {NOTHING_COLLECTED}. Check that they are "
                "enabled and fetch: each run's summary names the sources that failed.",
                *([tracked] if tracked else [])]
    if digest.first_item is None:  # zeros and 'no data' alone read like a dead week, not a query matching nothing
        return [f"Nothing is stored for {digest.brand} yet: no collected item has matched its query. Check the "
                "query and the sources in the config.", *([tracked] if tracked else [])]
    weeks = digest.baseline_weeks
    first = _so_far(digest.stages, weeks) if digest.partial_note else _biggest_move(digest.stages, weeks)
    lines = [tracked, first, _undated(digest), _most_negative(digest.stages), _too_few_line(digest.stages)]
    lines.append(_alerts_line(digest.alerts))
    lines.append(_emerging(digest.stages, weeks))
    failed = digest.coverage.failed_sources
    if failed:
        lines.append(f"Coverage gap: {', '.join(f.source for f in failed)} failed to fetch during the week.")
    return [line for line in lines if line]
