"""Demo-like data for the digest tests: nine weeks of one brand, stored through the real storage API.

Not a test module of its own (it has no tests); the digest tests import
`fill` and compare the digest's figures with counts they make from the
returned items, so no expected figure is written by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, select, update

from journeywatch.domain import Mention, Prediction
from journeywatch.storage import finish_run, record_source_result, save_predictions, start_run, store_batch
from journeywatch.storage.tables import mentions, source_runs

BRAND = "Northwind Coffee"
WEEK = "2026-W46"  # Mon 9 Nov - Sun 15 Nov 2026
WEEK_START = datetime(2026, 11, 9, tzinfo=timezone.utc)
HOSTILE = 'Great beans <script>alert("x")</script> <img src=x onerror="alert(1)"> [click](javascript:alert(2))'

_TEXTS: dict[tuple[str, str], list[str]] = {
    ("stimulus", "positive"): ["Just saw the new Northwind Coffee ad, love the autumn blend vibe",
                               "A friend told me about Northwind Coffee subscriptions, sounds nice"],
    ("stimulus", "neutral"): ["Northwind Coffee has a billboard on my commute now"],
    ("zero_moment", "neutral"): ["Northwind Coffee vs Blue Bottle, which should I get for espresso?",
                                 "Anyone tried the Northwind Coffee grinder? Thinking about buying"],
    ("zero_moment", "positive"): ["Is the Northwind Coffee subscription worth it? Reviews look good"],
    ("first_moment", "negative"): ["Checkout keeps failing on the Northwind Coffee site, payment declined twice",
                                   "My Northwind Coffee order arrived with a crushed box"],
    ("first_moment", "positive"): ["Unboxed my Northwind Coffee grinder today, looks beautiful"],
    ("second_moment", "negative"): ["Two weeks in and the Northwind Coffee grinder motor stopped working",
                                    "Support never answered about my Northwind Coffee refund"],
    ("second_moment", "positive"): ["Six months in and still using my Northwind Coffee grinder daily",
                                    "Bought my third bag of the autumn blend, renewed the subscription",
                                    "Switched to Northwind Coffee from Blue Bottle in spring, no regrets"],
    ("ultimate_moment", "negative"): ["Avoid Northwind Coffee, the grinder broke and they ignore refunds",
                                      "PSA do not buy the Northwind Coffee subscription, cancelled it",
                                      "Northwind Coffee lost me, switching to Blue Bottle and telling everyone"],
    ("ultimate_moment", "positive"): ["Highly recommend Northwind Coffee, 5 stars for the autumn blend"],
    ("none", "neutral"): ["Northwind Coffee shares rose 2% today", "Follow for follow, coffee pics"],
}
# This week only: a burst of a new complaint, so emerging terms and the spike have something to find.
_BURST: dict[tuple[str, str], list[str]] = {
    ("ultimate_moment", "negative"): ["Avoid Northwind Coffee: the descaler recall burned my machine",
                                      "Do not buy, descaler recall and no refund, warning everyone"],
    ("second_moment", "negative"): ["The descaler recall letter came, my machine leaks now"],
}
SOURCES = ("reddit:r/coffee", "trustpilot", "coffeegeek-forum", "news-feed")


@dataclass(frozen=True)
class Item:
    mention: Mention
    prediction: Prediction | None  # None: left unclassified


def _prediction(rng: random.Random, moment: str, sentiment: str, review: bool) -> Prediction:
    confidence = round(rng.uniform(0.55, 0.99), 3)
    return Prediction(moment, confidence, sentiment, round(rng.uniform(0.5, 0.99), 3),
                      {moment: confidence}, {sentiment: 0.8}, needs_review=review)


def make_items(seed: int = 7, weeks: int = 9, hostile: bool = True) -> list[Item]:
    """`weeks` weeks ending with WEEK: a steady mix, then a burst of negative share-stage talk in WEEK."""
    rng = random.Random(seed)
    items: list[Item] = []
    keys = list(_TEXTS)
    weights = [6, 3, 5, 3, 3, 2, 4, 4, 2, 5, 3, 3][: len(keys)]
    authors = [f"author-{i}" for i in range(150)]
    for w in range(weeks):
        week_start = WEEK_START - timedelta(weeks=weeks - 1 - w)
        current = w == weeks - 1
        n = 40 + 3 * w
        for i in range(n):
            moment, sentiment = rng.choices(keys, weights)[0]
            text = rng.choice(_TEXTS[(moment, sentiment)])
            if current and i < 12:
                (moment, sentiment), = rng.sample(list(_BURST), 1)
                text = rng.choice(_BURST[(moment, sentiment)])
            created = week_start + timedelta(minutes=rng.randrange(7 * 24 * 60))
            number = len(items)
            # Each author's own post, not copies of a few: the digest's terms count copies of one post once.
            text = f"{text} ({number})"
            unsupported = rng.random() < 0.04
            mention = Mention(
                source=SOURCES[number % len(SOURCES)], external_id=f"n-{number}", text=text,
                created_at=created, url=f"https://example.org/post/{number}", author=rng.choice(authors),
                lang="de" if unsupported else "en", lang_supported=not unsupported, brands=[BRAND],
            )
            pending = not unsupported and rng.random() < 0.03
            prediction = None if unsupported or pending else _prediction(rng, moment, sentiment,
                                                                           rng.random() < 0.08)
            items.append(Item(mention, prediction))
    if hostile:
        created = WEEK_START + timedelta(days=2, hours=3)
        mention = Mention(source="trustpilot", external_id="hostile", text=HOSTILE, created_at=created,
                          title='Review <b onmouseover="x()">bold</b>', url="javascript:alert(3)",
                          author="author-1", brands=[BRAND])
        items.append(Item(mention, Prediction("ultimate_moment", 0.99, "negative", 0.999,
                                              {"ultimate_moment": 0.99}, {"negative": 0.999})))
    return items


def fill(engine: Engine, items: list[Item], failures: int = 2) -> None:
    """Store `items` and their classifications, and record `failures` failed fetches of one source in WEEK."""
    store_batch(engine, [i.mention for i in items])
    with engine.connect() as connection:
        ids = {(s, e): i for s, e, i in connection.execute(
            select(mentions.c.source, mentions.c.external_id, mentions.c.id))}
    save_predictions(engine, "test-v1", [
        (ids[(i.mention.source, i.mention.external_id)], i.prediction) for i in items if i.prediction
    ])
    for n in range(failures):
        run = start_run(engine, "monitor")
        record_source_result(engine, run, "news-feed", "failed", error=f"HTTP 503 from feed (attempt {n})")
        finish_run(engine, run, "partial", {})
    with engine.begin() as connection:  # the runs happened during WEEK, not now
        connection.execute(update(source_runs).values(finished_at=WEEK_START + timedelta(days=3)))
