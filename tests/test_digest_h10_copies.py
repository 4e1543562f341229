"""Emerging terms and pain points count copies of one post once, as the digest's quotes and alert evidence do."""

from __future__ import annotations

from datetime import timedelta

from journeywatch.domain import Mention, Prediction
from journeywatch.reports import build_digest, parse_week
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, save_predictions, store_batch
from tests.test_digest_data import BRAND, WEEK, WEEK_START

CAMPAIGN = "Northwind Coffee scam alert: mould found in the beans, boycott them now!"
LEAKS = ["My Northwind travel mug lid is leaking everywhere", "Leaking lid on the Northwind mug, coffee on my desk",
         "The Northwind lid keeps leaking, please fix it"]


def test_a_post_copied_by_five_accounts_is_no_pain_point(database_url: str) -> None:
    # One post pasted by five accounts, each copy with its own link and hashtag, made 'mould', 'scam' and
    # 'boycott' the week's pain points and emerging terms: five items from five authors.
    engine = open_database(database_url)
    baseline = [(w, f"Recommend Northwind, lovely crema and fast delivery {w} {n}", "positive", f"b{n}")
                for w in range(1, 5) for n in range(10)]
    copies = [(0, f"{CAMPAIGN} https://short.example/{n} #boycott{n}", "negative", f"campaign-{n}") for n in range(5)]
    leaks = [(0, text, "negative", f"leak-{n}") for n, text in enumerate(LEAKS)]
    posts = baseline + copies + leaks
    store_batch(engine, [Mention(source="s", external_id=str(i), text=text, author=author, brands=[BRAND],
                                 created_at=WEEK_START - timedelta(weeks=w) + timedelta(hours=2 + i % 100))
                         for i, (w, text, _, author) in enumerate(posts)])
    save_predictions(engine, "v", [(i + 1, Prediction("ultimate_moment", 0.9, sentiment, 0.9, {}, {}))
                                   for i, (_, _, sentiment, _) in enumerate(posts)])
    config = parse_config({"database": database_url, "brands": [{"name": BRAND, "query": "northwind"}]})
    share = next(s for s in build_digest(engine, config, BRAND, parse_week(WEEK)).stages if s.name == "share")
    words = {word for t in share.pain_points + share.emerging_terms for word in t.term.split()}
    assert not words & {"scam", "mould", "boycott", "beans", "alert"}, (share.pain_points, share.emerging_terms)
    assert "leaking" in words or "lid" in words, (share.pain_points, share.emerging_terms)  # three authors' own words
