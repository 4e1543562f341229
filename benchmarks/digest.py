"""How long one brand-week digest takes on a database of a million mentions.

Generates a SQLite database with the project's own schema (migrations), fills
it with executemany in large transactions (indexes dropped during the load and
re-created from the schema's own DDL afterwards), then times, in the same run:

* baseline: a plain `SELECT COUNT(*) FROM mentions`;
* data: `build_digest` for one brand and week (every SQL aggregate, quotes, terms);
* full: data + both charts + HTML, Markdown and JSON written to disk.

It prints seconds and each as a ratio of the baseline. The goal is <= 3 s for
one brand-week; nothing here asserts it, the numbers are for reading.

    .venv/bin/python benchmarks/digest.py [--mentions 1000000] [--db PATH] [--reuse]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from journeywatch.reports import add_charts, build_digest, parse_week, write_digest
from journeywatch.settings import parse_config
from journeywatch.storage import forget_engines, open_database

BRANDS = ("Northwind Coffee", "Globex Tea", "Initech Mobile", "Umbrella Air")
WEEKS = 52
END = datetime(2026, 11, 23, tzinfo=timezone.utc)  # Monday: the last generated week is 2026-W47
SOURCES = ("reddit:r/coffee", "reddit:r/tea", "trustpilot", "app-store", "forum", "news", "export")
MOMENTS = ("stimulus", "zero_moment", "first_moment", "second_moment", "ultimate_moment", "none")
MOMENT_WEIGHTS = (10, 18, 12, 30, 18, 12)
SENTIMENTS = ("negative", "neutral", "positive")
PHRASES = {
    "stimulus": ["just saw the ad for {b}", "my friend told me about {b}", "{b} launch looks {a}"],
    "zero_moment": ["{b} vs the others, which should I get", "is {b} worth it", "thinking about buying {b}"],
    "first_moment": ["checkout on {b} keeps failing", "my {b} order arrived {a}", "unboxed {b} today"],
    "second_moment": ["{b} {n} stopped working after two weeks", "support from {b} never answered",
                      "still using my {b} {n}, renewed"],
    "ultimate_moment": ["avoid {b}, the {n} is {a}", "highly recommend {b}", "do not buy {b}, cancelled"],
    "none": ["{b} shares rose today", "follow for follow"],
}
NOUNS = ("battery", "app", "refund", "delivery", "screen", "subscription", "grinder", "seat", "price", "charger",
         "update", "login", "flight", "blend", "warranty", "invoice", "courier", "noise", "filter", "strap")
ADJECTIVES = ("great", "broken", "late", "cheap", "slow", "amazing", "damaged", "perfect", "loud", "buggy")
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite


def generate(path: Path, total: int, seed: int = 5) -> float:
    """Fill `path` with `total` mentions (one brand each), ~97% classified; returns seconds taken."""
    started = time.perf_counter()
    engine = open_database(f"sqlite:///{path}")  # the real schema, by the real migrations
    engine.dispose()
    forget_engines()
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        "AND tbl_name IN ('mentions', 'mention_brands', 'classifications')").fetchall()
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    span = WEEKS * 7 * 24 * 3600
    start = END - timedelta(seconds=span)
    fetched = END.strftime(STAMP)
    # Listeners store items roughly as they are written, so ids grow with created_at.
    moments_in_time = sorted(rng.randrange(span) for _ in range(total))
    chunk = 100_000
    for offset in range(0, total, chunk):
        mentions, links, classes = [], [], []
        for i in range(offset + 1, min(total, offset + chunk) + 1):
            brand = BRANDS[i % len(BRANDS)]
            moment = rng.choices(MOMENTS, MOMENT_WEIGHTS)[0]
            sentiment = rng.choice(SENTIMENTS)
            text = rng.choice(PHRASES[moment]).format(b=brand, n=rng.choice(NOUNS), a=rng.choice(ADJECTIVES))
            created = (start + timedelta(seconds=moments_in_time[i - 1])).strftime(STAMP)
            supported = rng.random() > 0.02
            mentions.append((i, SOURCES[i % len(SOURCES)], f"x{i}", "social", None, text,
                             f"https://example.org/{i}", f"a{rng.randrange(total // 4)}", None, created, fetched,
                             "en", supported, False, False, True))
            links.append((i, brand, created, True))
            if supported and rng.random() > 0.01:
                classes.append((i, "bench", moment, rng.uniform(0.4, 1), sentiment, rng.uniform(0.4, 1), "{}",
                                rng.random() < 0.05, fetched))
        with connection:
            connection.executemany("INSERT INTO mentions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", mentions)
            connection.executemany("INSERT INTO mention_brands VALUES (?,?,?,?)", links)
            connection.executemany("INSERT INTO classifications VALUES (?,?,?,?,?,?,?,?,?)", classes)
    with connection:
        for _, sql in indexes:
            connection.execute(sql)
    connection.close()
    return time.perf_counter() - started


def _timed(fn: object, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - begun)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "journeywatch-bench-digest.db")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the same size")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    url = f"sqlite:///{args.db}"
    reuse = args.reuse and args.db.exists()
    if reuse:
        with sqlite3.connect(args.db) as check:
            reuse = check.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] == args.mentions
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        seconds = generate(args.db, args.mentions)
        print(f"generated {args.mentions:,} mentions in {seconds:.1f} s -> {args.db}")

    engine = open_database(url)
    config = parse_config({"database": url, "brands": [{"name": b, "query": b} for b in BRANDS]})
    brand, week = BRANDS[0], parse_week("2026-W46")
    with engine.connect() as connection:
        from sqlalchemy import text

        in_week = connection.execute(text(
            "SELECT COUNT(*) FROM mention_brands WHERE brand = :b AND created_at >= :s AND created_at < :e"),
            {"b": brand, "s": week.start_utc("UTC").strftime(STAMP)[:-7],
             "e": week.end_utc("UTC").strftime(STAMP)[:-7]}).scalar_one()

    def count() -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT COUNT(*) FROM mentions").scalar_one()

    out = Path(tempfile.mkdtemp(prefix="journeywatch-bench-"))
    baseline = _timed(count, args.repeats)
    data = _timed(lambda: build_digest(engine, config, brand, week), args.repeats)
    full = _timed(lambda: write_digest(add_charts(build_digest(engine, config, brand, week)), out), args.repeats)

    base = statistics.median(baseline)
    print(f"{args.mentions:,} mentions, {len(BRANDS)} brands over {WEEKS} weeks; {brand} in {week.label}: "
          f"{in_week:,} mentions; python {sys.version.split()[0]}; median of {args.repeats} (first run)")
    for name, times in (("COUNT(*) baseline", baseline), ("digest data", data), ("digest data+charts+files", full)):
        median = statistics.median(times)
        print(f"  {name:26s} {median:7.3f} s ({times[0]:.3f})   x{median / base:6.1f} of COUNT(*)")
    print(f"  goal: one brand-week <= 3 s -> {'met' if statistics.median(full) <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
