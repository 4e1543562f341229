"""Small formatting rules the HTML and Markdown digests share, so both say a figure the same way.

`safe_url` (from `journeywatch.links`, shared with the alerts and the JSON
digest) is the one place that decides whether an address from the internet
may become a link: only http and https, never `javascript:` or `data:`,
whatever a post or feed claims.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import TypeVar

import regex

from journeywatch.links import safe_url  # noqa: F401  (the renderers import it from here)

from .model import Change, Digest, Quote, StageFigures
from .weeks import parse_week, week_of

QUOTE_CHARS = 280
K = TypeVar("K")
# A moment as the chart and the Markdown table name it: 'zero\_moment' in a table was the code's label.
MOMENT_TITLES = {
    "stimulus": "Stimulus", "zero_moment": "ZMOT · research", "first_moment": "FMOT · purchase",
    "second_moment": "SMOT · use", "ultimate_moment": "UMOT · share", "none": "No journey moment",
}


SLUG_CHARS = 80  # file systems allow 255 bytes a name; a long brand name failed with "File name too long"


def slug(name: str) -> str:
    """A file-name-safe form of a brand: 'Café Noir & Co' -> 'cafe-noir-co', at most SLUG_CHARS long."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:SLUG_CHARS].rstrip("-") or "brand"


# Explicit bidi embeddings, overrides and isolates (LRE..RLO, LRI..PDI). Arabic or Hebrew text needs none of
# them to read right; a post's unclosed RIGHT-TO-LEFT OVERRIDE reversed its quote and pulled the closing quote
# mark into the middle ("Great coffee ”very bad of course"), text spoofing other than what was written.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def stage_title(name: str) -> str:
    """A stage name as a heading: its first letter capitalised, the rest as the config wrote it.

    str.capitalize lowered the rest, so a custom mapping's "Buy & Try" was
    headed "Buy & try" and "eCommerce" "Ecommerce".
    """
    return name[:1].upper() + name[1:]


# One user-perceived character: a letter and its accents, an emoji with its skin tone or ZWJ parts, a flag.
_GRAPHEME = regex.compile(r"\X")


def _whole_characters(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` code points that ends between two graphemes.

    Cut by code points, '👩‍💻' could lose its '💻' and an accented letter its accent. A first grapheme longer
    than `limit` (a letter under hundreds of combining marks) is cut where it must be.
    """
    end = 0
    for match in _GRAPHEME.finditer(text):
        if match.end() > limit:
            break
        end = match.end()
    return text[:end] if end else text[:limit]


def short(text: str, limit: int = QUOTE_CHARS) -> str:
    """One line of at most `limit` characters, cut at a word, for quoting (bidi controls dropped).

    Cut inside a word (between graphemes) when the last space before the limit would keep less than half
    of it: a quote starting 'scriptco' and a 5,000-character word was cut to 'scriptco…', nothing of it read.
    """
    flat = " ".join(_BIDI_CONTROLS.sub("", text).split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    at_word = head.rsplit(" ", 1)[0]
    if len(at_word) < limit // 2 or at_word == head:  # a very long word, or no space at all: cut inside it
        at_word = _whole_characters(flat, limit - 1)
    return at_word + "…"


def quote_date(quote: Quote) -> str:
    """'Mon 9 Nov', as the period reads; 'date unknown' for an item of unknown date (a feed's undated backlog).

    Such an item is stored at its fetch time: dated by it, a review of last spring read as written this week.
    """
    when = quote.created_at
    if when is None or not quote.date_known:
        return "date unknown"
    return f"{when:%a} {when.day} {when:%b}"


def change_text(change: Change) -> str:
    """'+12.5% vs last week's 40', '-3.1 pts vs last week', 'no data this week', 'no journey items last week'.

    The mentions' change reads through `volume_change_text`, which knows whether an empty week was measured.

    A relative change names the count it is relative to: '+200.0%' of 1 item is 3 items.
    """
    if change.delta is None:
        if change.unit == "%":  # a count of 0 is an empty week too
            return "no data this week" if change.value in (None, 0) else "no data last week"
        # Net sentiment and the negative share are over journey items: a week of five spam posts has data,
        # and 'Mentions: 5' over 'Net sentiment: — (no data this week)' read as a contradiction.
        return "no journey items this week" if change.value is None else "no journey items last week"
    if change.unit == "%":
        return f"{signed(change.delta, 1)}% vs last week's {int(change.previous or 0):,}"
    return f"{signed(change.delta, 1)} pts vs last week"


BACKLOG = "a feed's backlog, collected this week"  # what an item of unknown date is (Mention.date_known)


def undated_note(undated: int) -> str | None:
    """'240 of unknown date (a feed's backlog, collected this week)' beside the week's mentions; None: none.

    A new feed's undated entries (its first reading, or one after a long gap) are stored when read: hundreds
    of months-old reviews in one week read as that week's talk unless said.
    """
    return f"{undated:,} of unknown date ({BACKLOG})" if undated else None


def _measured(digest: Digest, last_week: bool = False) -> bool:
    """Whether the week (or the one before it) is on or after `data_from` (the brand's first item, or for a brand
    with none the first item stored from its sources): its 0 was measured, as the trend counts it."""
    if digest.data_from is None:
        return False
    start, end = date.fromisoformat(digest.week_start), date.fromisoformat(digest.week_end)
    return digest.data_from.date() < start if last_week else digest.data_from.date() <= end


def _unmeasured(digest: Digest, last_week: bool = False) -> str:
    """What a week before `data_from` is: 'not tracked' (read before the brand was added) or 'no data'."""
    week = parse_week(digest.week).shift(-1 if last_week else 0).label
    return "not tracked" if untracked(digest, week) else "no data"


def _empty_week_text(digest: Digest) -> str:
    """The mentions' change where this week or the last has none: measured (the sources were read, nobody
    wrote) or no data (before the brand's first item).

    A quiet week of a brand watched for months read '0 (no data this week)', as if collection had failed.
    """
    h = digest.headline
    previous = int(h.volume.previous or 0)
    before = _unmeasured(digest, last_week=True)
    if h.volume.value:
        return "none last week" if _measured(digest, last_week=True) else f"{before} last week"
    if not _measured(digest):
        return f"{_unmeasured(digest)} this week"
    if not _measured(digest, last_week=True):
        text = f"none this week; {before} last week"
    else:
        text = f"none this week, {previous:,} last week" if previous else "none this week or last"
    failed = len(digest.coverage.failed_sources)
    if failed:  # the sources that were read said nothing; these could not be read
        text += f"; {failed} source{'' if failed == 1 else 's'} failed to fetch: see coverage"
    return text


def volume_change_text(digest: Digest) -> str:
    """The mentions' change; with items of unknown date in either week, said to be in items of known date.

    '+733% vs last week's 30' over a week of 10 new posts and a feed's 240-item backlog read as the brand's
    talk growing eightfold.
    """
    headline = digest.headline
    undated = headline.undated or headline.undated_previous
    if headline.volume.delta is None and not (headline.volume.value and undated):
        return _empty_week_text(digest)
    if not undated:
        return change_text(headline.volume)
    now = int(headline.volume.value or 0) - headline.undated
    before = int(headline.volume.previous or 0) - headline.undated_previous
    if headline.volume.delta is None:
        return f"no items of known date last week, {now:,} this week"
    return f"{signed(headline.volume.delta, 1)}% in items of known date: {now:,} vs last week's {before:,}"


def known_change_text(change: Change, known: Change | None, percent: bool = False) -> str:
    """Net sentiment's or the negative share's change; with items of unknown date in either week (`known`: the
    figure over items of known date), said to be in items of known date, with what it compares, as the
    mentions' change is.

    '-46.3 pts vs last week' under a net sentiment of -67 was a new feed's 30 old one-star reviews, read this
    week: the note beside the mentions said they were a backlog, yet they moved the week's sentiment.
    """
    if known is None or change.value is None or change.previous is None:
        return change_text(change)
    if known.delta is None:  # every journey item of one of the weeks is of unknown date
        return f"no journey items of known date {'this week' if known.value is None else 'last week'}"
    now, before = (figure(known.value, "{:.1f}%"), figure(known.previous, "{:.1f}%")) if percent else \
        (signed(known.value or 0), signed(known.previous or 0))
    return f"{signed(known.delta, 1)} pts in items of known date: {now} vs last week's {before}"


def journey_change_text(digest: Digest, change: Change, known: Change | None, percent: bool = False) -> str:
    """Net sentiment's or the negative share's change (`known_change_text`), or 'not tracked last week' where the
    week it lacks was read before the brand was added: 'no journey items' there read as a measured week."""
    if change.delta is None and (change.value is None or change.previous is None):
        last_week = change.value is not None
        if _unmeasured(digest, last_week) == "not tracked" and not _measured(digest, last_week):
            return f"not tracked {'last week' if last_week else 'this week'}"
    return known_change_text(change, known, percent)


def undated_map_note(digest: Digest) -> str | None:
    """Why a stage's items and its change disagree: the items include a feed's backlog, the change does not."""
    if not any(s.undated for s in digest.stages):
        return None
    return (f"A stage's items include those of unknown date ({BACKLOG}); its change against "
            f"{'last week' if digest.baseline_weeks == 1 else 'the average'} compares items of known date")


def count(n: int, noun: str = "item") -> str:
    """'1 item', '6,248 items': a count as a brand manager reads it.

    '6248 items' was hard to read at a glance, and a quiet week's '1 items' read as a slip.
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def thousands(n: int) -> str:
    """'6,248': a count with thousands separators ('6248' in a table cell or a card was read digit by digit)."""
    return f"{n:,}"


def weekly_average(value: float) -> str:
    """A mean of weekly counts, rounded as it is read: '2,032' (not '2032.0'), '10.4', '5.5', '7'.

    A hundred or more a week reads whole; below, one decimal (unless it is whole) keeps the change beside it
    checkable: '17 items, 10 a week on average' read as +70% beside a +63% from 10.4.
    """
    text = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def baseline_text(baseline: float, weeks: int) -> str:
    """What a stage's change is measured against, named as it is computed: the mean over `weeks` weeks.

    '(6248 items, 2032.0 a week before)' read as last week's count; it was the average of the four weeks
    before: '2,032 a week on average over the previous four weeks', or with one week '100 last week'.
    """
    if weeks == 1:
        return f"{weekly_average(baseline)} last week"
    return f"{weekly_average(baseline)} a week on average over {previous_weeks(weeks)}"


def whole_percentages(counts: Mapping[K, int]) -> dict[K, int]:
    """Each count's share in whole percent, adding up to 100 (largest remainders round up).

    Rounded one by one, a stage split 1 / 1 / 1 read 33% + 33% + 33%, and 2 / 2 / 3 read 29% + 29% + 43%... = 101%.
    """
    total = sum(counts.values())
    if not total:
        return {key: 0 for key in counts}
    exact = {key: n * 100 / total for key, n in counts.items()}
    shares = {key: int(value) for key, value in exact.items()}
    for key in sorted(exact, key=lambda k: exact[k] - shares[k], reverse=True)[:100 - sum(shares.values())]:
        shares[key] += 1
    return shares


def touchpoint_shares(stage: StageFigures) -> list[int]:
    """The stage's top sources' shares of its items in whole percent, one per touchpoint, as every format shows them.

    Where the sources shown are all of the stage's, they add up to 100 (largest remainders): three sources of
    2,083, 2,083 and 2,082 items read 33% + 33% + 33%. Where more sources feed the stage than are shown, each
    share is its own count's, rounded once (not the stored share, already rounded to a tenth).
    """
    counts = [t.count for t in stage.touchpoints]
    if sum(counts) < stage.volume:
        return [round(n * 100 / stage.volume) for n in counts]
    shares = whole_percentages(dict(enumerate(counts)))
    return [shares[i] for i in range(len(counts))]


def signed(value: float, decimals: int = 0) -> str:
    """'+12', '-3', '+2,400.0', and '0' for a value that rounds to zero: a net sentiment of -0.4 read '-0'."""
    text = f"{value:+,.{decimals}f}"
    return f"{0:.{decimals}f}" if float(text.replace(",", "")) == 0 else text


def figure(value: float | None, template: str) -> str:
    """`value` in `template` ('{:+.0f}'), or '—' where the week has no data to compute it from."""
    return "—" if value is None else template.format(value)


_WEEKS = {1: "week", 2: "two weeks", 3: "three weeks", 4: "four weeks"}


def previous_weeks(n: int) -> str:
    """'the previous four weeks', 'the previous week': the weeks a stage's change is measured against.

    A brand two weeks old has one: its average over four, three of them before its first item, read
    '+300%' for a steady week.
    """
    return "earlier weeks (none yet)" if n <= 0 else f"the previous {_WEEKS.get(n, f'{n} weeks')}"


def baseline_name(n: int) -> str:
    """What a stage's change is against, in words: 'the weekly average of the previous four weeks', 'last week'.

    'change against the previous four weeks' did not say whether the four weeks were summed or averaged.
    """
    return "last week" if n == 1 else f"the weekly average of {previous_weeks(n)}" if n > 0 else previous_weeks(n)


def average_label(n: int) -> str:
    """A column heading for the change against the baseline weeks: 'vs 4-wk avg', 'vs last week'."""
    return "vs last week" if n == 1 else f"vs {n}-wk avg" if n > 0 else "vs earlier weeks"


def change_vs_baseline(value: float | None, volume: int = 1) -> str:
    """'+43%', 'new' (talk where the baseline had none), or '—' (no talk either way)."""
    if value is None:
        return "new" if volume else "—"
    return f"{signed(value)}%"


def unmapped_text(unmapped: dict[str, int]) -> str | None:
    """The note for moments a custom stage mapping leaves out: their items count in the headline, on no stage."""
    if not unmapped:
        return None
    parts = ", ".join(f"{moment} ({count:,} item{'' if count == 1 else 's'} this week)"
                      for moment, count in unmapped.items())
    return (f"Not on this map: {parts}. The stage mapping leaves "
            f"{'it' if len(unmapped) == 1 else 'them'} out; the headline figures count "
            f"{'it' if len(unmapped) == 1 else 'them'}, no stage does.")


def tone(delta: float | None, good_when_up: bool = True) -> str:
    """'good', 'bad' or 'flat' for colouring a change."""
    if delta is None or abs(delta) < 0.05:
        return "flat"
    return "good" if (delta > 0) == good_when_up else "bad"


def untracked(digest: Digest, week: str) -> bool:
    """Whether `week` (a label, '2026-W45') was read, in part or whole, before the brand was in the config: up to
    the week holding `tracked_since`."""
    if digest.tracked_since is None:
        return False
    return week <= week_of(digest.tracked_since.date()).label  # 'YYYY-Www' labels sort as the weeks do


def tracked_note(digest: Digest) -> str:
    """Why the weeks read before the brand was added count nothing of it; '' where it was there from the start."""
    when = digest.tracked_since
    if when is None:
        return ""
    return (f"the brand was added to the config after its sources had been read up to {when:%a} {when.day} "
            f"{when:%b %H:%M} ({digest.timezone}); what they held until then was never matched against it")


def untracked_weeks(digest: Digest) -> list[str]:
    """The trend's weeks shown as 'not tracked': of `no_data_weeks`, those read before the brand was added."""
    return [week for week in no_data_weeks(digest) if untracked(digest, week)]


def shaded_note(digest: Digest) -> str:
    """The trend chart's note on its shaded weeks: no data (and why), or not tracked; '' where none is shaded."""
    weeks, before = no_data_weeks(digest), untracked_weeks(digest)
    if not weeks:
        return ""
    span = weeks[0] if len(weeks) == 1 else f"{weeks[0]} to {weeks[-1]}"
    if not before:
        return f"Shaded weeks ({span}) have no data: {no_data_reason(digest)}."
    if before == weeks:
        return f"Shaded weeks ({span}) were not tracked: {tracked_note(digest)}."
    return (f"Shaded weeks ({span}) have no data: those to {before[-1]} were not tracked ({tracked_note(digest)}); "
            f"the rest {no_data_reason(digest).removeprefix('they ')}.")


def no_data_reason(digest: Digest) -> str:
    """Why the shaded weeks have no data: before the brand's first item, before the first item stored from the
    sources (a brand with none by the week's end), or nothing stored at all (see `tracked_note` for the weeks
    read before the brand was added)."""
    if digest.data_from is None:
        return "nothing is stored for the brand yet"
    if digest.first_item is not None and digest.data_from == digest.first_item:
        return "they come before the brand's first item"
    return "they come before the first item stored from the sources"


def overlap_text(digest: Digest) -> str | None:
    """The retention stage's items are other stages' items too: said, so the map's items are not summed.

    Summed, a week's 3 + 2 + 2 map items read as 7 where the headline said 5 journey items.
    """
    retention = next((s for s in digest.stages if s.derived == "retention"), None)
    if retention is None or not retention.volume:
        return None
    text = (f"{retention.name}'s 1 item is counted in its own stage too" if retention.volume == 1 else
            f"{retention.name}'s {retention.volume:,} items are counted in their own stages too")
    others = sum(s.volume for s in digest.stages if s is not retention)
    if others == digest.headline.journey_items:
        text += f": the other stages add up to the week's {others:,} journey items"
    return text


def emerging_note(digest: Digest, stage: StageFigures) -> str | None:
    """Why a stage's emerging terms were not compared, or None when they were.

    With nothing before (the brand's first week, or a stage whose talk began this week) an empty list
    read as 'nothing stands out' where nothing could.
    """
    if not digest.baseline_items:
        return "no earlier weeks"
    if stage.volume and not stage.baseline:
        return "nothing earlier in this stage"
    return None


def no_data_weeks(digest: Digest) -> list[str]:
    """The trend's weeks before `data_from` (the brand's first item, as a rule: its counts are None there)."""
    counts = next(iter(digest.trend.counts.values()), {})
    weekly = next(iter(counts.values()), [])
    return [week for week, n in zip(digest.trend.weeks, weekly) if n is None]


def models_text(digest: Digest) -> str | None:
    """'Classified by model jw-0.1.0+b32975822e (1,234 items over the 8 weeks shown); the model card ...'; None:
    nothing is classified.

    Several versions (a `reclassify` not run, or stopped midway) are named each with its items, most first: a
    reader can tell whether the figures come from the model the model card measures.
    """
    if not digest.model_versions:
        return None
    weeks = f"over the {len(digest.trend.weeks)} weeks shown"
    ranked = sorted(digest.model_versions.items(), key=lambda pair: (-pair[1], pair[0]))
    card = "the model card names the version its accuracy was measured on"
    if len(ranked) == 1:
        version, n = ranked[0]
        return f"Classified by model {version} ({count(n)} {weeks}); {card}"
    named = [f"{version} ({count(n)})" for version, n in ranked]
    return f"Classified by models {', '.join(named[:-1])} and {named[-1]} {weeks}; {card}"

