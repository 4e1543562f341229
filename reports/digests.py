"""One call from a config to digests on disk (and in inboxes): what the CLI and the flow both run.

Weeks: None means the last complete ISO week in the config's timezone (what
the Monday schedule wants); 'latest' means the latest finished ISO week that
has any mention of the chosen brands (demo data fixed in time); or 'YYYY-Www'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from journeywatch.errors import ConfigError, JourneywatchError
from journeywatch.settings import Config, DigestSettings
from journeywatch.settings.spelling import meant
from journeywatch.storage import open_database, require_existing
from journeywatch.storage.digest_queries import first_stored_time, holds_mentions, latest_mention_time

from .build import build_digest, own_sources
from .charts import add_charts
from .deliver import SentDigest, deliver_digest
from .formatting import slug
from .highlights import NOTHING_COLLECTED
from .model import Digest
from .render_html import render_html
from .render_json import render_json
from .render_markdown import render_markdown
from .weeks import Week, WeekError, current_week, last_complete_week, parse_week, week_of


class NoDataError(JourneywatchError):
    """The database holds nothing to report on yet."""


def select_brands(config: Config, brand: str | None) -> list[str]:
    """All configured brands, or the one named (case-insensitively); an unknown name is a ConfigError."""
    names = [b.name for b in config.brands]
    if brand is None:
        return names
    brand = brand.strip()  # ' Acme ' pasted from a list or a shell variable is still Acme
    # Exact first: 'Acme' and 'ACME' may both be configured.
    match = [n for n in names if n == brand] or [n for n in names if n.casefold() == brand.casefold()]
    if not match:
        close = meant(brand, names)  # a typo: the list of every brand left the reader to spot it
        hint = f"did you mean {close!r}? " if close else ""
        raise ConfigError(f"brand {brand!r} is not in the config; {hint}brands are: {', '.join(names)}")
    if len(match) > 1:
        raise ConfigError(f"brand {brand!r} matches {', '.join(match)}; give the name exactly as configured")
    return match


def resolve_week(engine: Engine, config: Config, week: str | None, brands: list[str]) -> Week:
    """The ISO week a run reports on (see the module docstring for the three forms)."""
    tz = config.digest.timezone
    if week is None or week.strip().lower() in ("", "last"):
        return last_complete_week(tz)
    if week.strip().lower() == "latest":
        # A week still running is not a digest's week (a stray item stamped "now" would pick it), and the
        # newest finished week with data is found below it: items in the running week made 'latest' the
        # week before it, empty or not.
        running = current_week(tz)
        newest = latest_mention_time(engine, brands, before=running.start_utc(tz))
        if newest is None:
            stored = latest_mention_time(engine, brands)
            if stored is not None and stored >= running.end_utc(tz):  # a source's dates in a wrong zone or format
                raise NoDataError(f"every stored mention of {', '.join(brands)} is dated after this week "
                                  f"({running.label} in {tz}), the newest {stored:%Y-%m-%d %H:%M} UTC; check the "
                                  "dates the sources give, or ask for a --week")
            if stored is not None:
                raise NoDataError(f"every stored mention of {', '.join(brands)} is from this week ({running.label} "
                                  f"in {tz}), which is not over; ask for --week {running.label} for a partial digest")
            if holds_mentions(engine):  # runs have collected, nothing for these brands: 'run it first' misled
                whose, query = ("its", "query") if len(brands) == 1 else ("their", "queries")
                raise NoDataError(f"no mentions of {', '.join(brands)} are stored yet: no item collected so far has "
                                  f"matched {whose} {query}; check the {query} and the sources in the config")
            raise NoDataError(f"no mentions of {', '.join(brands)} are stored yet; run `journeywatch run` first")
        return week_of(newest.astimezone(ZoneInfo(tz)).date())
    chosen, running = parse_week(week), current_week(tz)
    if chosen.monday > running.monday:
        raise WeekError(f"week {chosen.label!r} has not started yet (this week is {running.label} in {tz}); "
                        "a digest needs a week that has data")
    return chosen


def where_the_items_are(engine: Engine, config: Config, brand: str, week: Week) -> str:
    """For a brand whose digest of `week` is empty: where its items are, and the `--week` that shows them.

    A first `run` on a Tuesday stores that week's talk, and the default digest (the last complete
    week) came out empty with only "its digest says so": a user could not tell a query that matches
    nothing from a week that holds nothing yet.
    """
    tz = config.digest.timezone
    newest = latest_mention_time(engine, [brand])
    if newest is None and first_stored_time(engine, own_sources(config)) is None:
        # A first run whose only feed was refused stored nothing: 'its query matched nothing' sent the user to a
        # query that was fine.
        return (f"Nothing is stored for it yet: {NOTHING_COLLECTED} (no `journeywatch run` so far, or its sources "
                "failed or are disabled: the run's summary names them)")
    if newest is None:
        return "Nothing is stored for it yet: no item collected so far matched its query"
    running = current_week(tz)
    if newest < week.start_utc(tz):
        found = week_of(newest.astimezone(ZoneInfo(tz)).date())
        return f"Its newest items are from {found.label}: --week {found.label} shows them"
    finished = latest_mention_time(engine, [brand], before=running.start_utc(tz))
    if finished is not None and finished >= week.end_utc(tz):
        found = week_of(finished.astimezone(ZoneInfo(tz)).date())
        return f"It has items in {found.label}, its newest finished week with data: --week latest shows it"
    if newest < running.end_utc(tz) and running != week:
        return (f"Its newest items are from {running.label}, the week still running: --week {running.label} "
                "gives a partial digest")
    return f"Its items are dated after this week ({running.label} in {tz}); check the dates its sources give"


def file_slugs(names: list[str]) -> dict[str, str]:
    """A distinct file-name slug per brand: 'Acme Co' -> 'acme-co', then 'acme-co' -> 'acme-co-2'.

    Different names can share a slug ('Café' and 'Cafe'), and without this their
    digests would overwrite each other. Numbering follows the config's order and
    never takes a slug that another brand has plainly ('Acme 2' keeps 'acme-2'),
    so the same config always gives the same file names, whichever brands a run picks.
    """
    plain = [slug(name) for name in names]
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name, base in zip(names, plain):
        candidate, number = base, 1
        while candidate in taken or (candidate != base and candidate in plain):
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate)
        out[name] = candidate
    return out


def write_digest(digest: Digest, out_dir: str | Path, brand_slug: str | None = None) -> list[Path]:
    """Write `<brand-slug>-<week>.html`, `.md` and `.json` into `out_dir`; returns the three paths.

    `brand_slug` (from `file_slugs`) keeps brands whose names slug alike apart.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not digest.charts:
        add_charts(digest)
    stem = f"{brand_slug or slug(digest.brand)}-{digest.week}"
    paths = []
    for suffix, text in ((".html", render_html(digest)), (".md", render_markdown(digest)),
                         (".json", render_json(digest))):
        path = out / f"{stem}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@dataclass(slots=True)
class DigestRun:
    """What one run produced: the week, files per brand, and every delivery attempt."""

    week: str
    files: dict[str, list[Path]] = field(default_factory=dict)
    deliveries: list[SentDigest] = field(default_factory=list)
    partial_note: str | None = None  # set when the week was still running: callers must say so
    empty: dict[str, str] = field(default_factory=dict)  # brand -> where its items are, for an empty digest

    @property
    def paths(self) -> list[Path]:
        return [p for paths in self.files.values() for p in paths]


def make_digests(
    config: Config, out_dir: str | Path, week: str | None = None, brand: str | None = None, send: bool = True,
) -> DigestRun:
    """Build, write and (with `send` and `digest.notify` targets) deliver each brand's digest for one week."""
    require_existing(config.database)
    engine = open_database(config.database)
    brands = select_brands(config, brand)
    chosen = resolve_week(engine, config, week, brands)
    run = DigestRun(week=chosen.label)
    slugs = file_slugs([b.name for b in config.brands])
    digests = []
    for name in brands:  # every file first: a folder that fails on the second brand must not follow a sent first
        digest = add_charts(build_digest(engine, config, name, chosen))
        run.files[name] = write_digest(digest, out_dir, slugs[name])
        run.partial_note = digest.partial_note
        if not digest.headline.volume.value:
            run.empty[name] = where_the_items_are(engine, config, name, chosen)
        digests.append(digest)
    if send and config.digest.notify:
        down: set[str] = set()
        for digest in digests:
            run.deliveries += _deliver(digest, config.digest, down)
    return run


def _deliver(digest: Digest, settings: DigestSettings, down: set[str]) -> list[SentDigest]:
    """Send `digest` to each target, in config order; `down` holds the targets whose last delivery failed.

    A target that failed every attempt for one brand gets one try for the next, not its retries again: with
    the mail relay down, 30 brands took 8.5 minutes (35 for a relay that never answers) to fail alike. A try
    that goes through takes the target out of `down`, so a relay back in the middle of a run gets the rest.
    """
    results: list[SentDigest] = []
    for url in settings.notify:
        sent = deliver_digest(digest, [url], settings.subject, 0 if url in down else settings.retries)
        if all(r.ok for r in sent):
            down.discard(url)
        else:
            down.add(url)
        results += sent
    return results
