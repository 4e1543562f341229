"""Loyalty and churn language as the database reads it, on SQLite and PostgreSQL, with real sentences both ways."""

from __future__ import annotations

from datetime import timedelta

from journeywatch.domain import Mention, Prediction
from journeywatch.reports.build import CUES
from journeywatch.storage import open_database, save_predictions, store_batch
from journeywatch.storage.digest_queries import texts_for_terms
from tests.test_digest_data import BRAND, WEEK_START

CHURN = [
    "I cancelled my Northwind subscription, the beans were stale",
    "I’ve cancelled. Three late deliveries in a row",
    "Ive cancelled after the price rise",
    "Cancelling my Northwind Coffee membership today",
    "Never buying Northwind again",
    "I'm done with Northwind",
    "Honestly I’m done with you guys",
    "Switched to Blue Bottle, bye Northwind",
    "Won't be renewing, the grinder broke twice",
    "I will not order from them again",
    "Won't buy from Northwind & Co again",
]
NOT_CHURN = [
    "My taxi cancelled on me so I was late for my Northwind tasting",
    "Five cancelled deliveries and Northwind still charges me",  # the brand failing, not the customer leaving
    "I'm done with the setup, the Northwind grinder works great",
    "Northwind cancelled my order, refunded within a day",
    "I cancelled my order, wrong grind size, ordered the right one",
    "Switched to Northwind last year, best decision",
    "Switched to the annual plan, cheaper per bag",
    "I'll never use anything else than Northwind beans",
    "They cancelled it without telling me, the tasting event I mean",
    "Anyone else's Northwind app crash when switching to night mode?",  # from the demo's forum feed
    "Is the Northwind plan refundable if I cancel? Asking before I renew",
]
LOYAL = ["Bought my third bag of Northwind this month", "Renewed for another year",
         "Still using my Northwind grinder daily", "Ordered the autumn blend again",
         "Ordered from Northwind & Co again, third order this year"]
NOT_LOYAL = ["Still useless after the update", "Disloyal staff at the Northwind kiosk",
             "The renewable packaging is nice"]


def _cues(database_url: str, texts: list[str], brand: str = BRAND) -> dict[str, str | None]:
    """Each text's cue ('churn', 'loyalty' or None) as the digest's query reads it, as a use-stage item."""
    engine = open_database(database_url)
    store_batch(engine, [Mention(source="s", external_id=str(n), text=text, author=f"a{n}", brands=[brand],
                                 created_at=WEEK_START + timedelta(hours=1 + n)) for n, text in enumerate(texts)])
    save_predictions(engine, "v", [(n + 1, Prediction("second_moment", 0.9, "neutral", 0.9, {}, {}))
                                   for n in range(len(texts))])
    rows = texts_for_terms(engine, brand, WEEK_START, WEEK_START, WEEK_START + timedelta(weeks=1), CUES)
    return {row.text: row.cue for row in rows}


def test_churn_is_a_customer_leaving_the_brand(database_url: str) -> None:
    # '%i cancel%' read "my taxi cancelled on me" as churn, and '%m done with%' a finished setup.
    cues = _cues(database_url, CHURN + NOT_CHURN)
    assert [t for t in CHURN if cues[t] != "churn"] == []
    assert [t for t in NOT_CHURN if cues[t] == "churn"] == []


def test_loyalty_words_are_whole_words(database_url: str) -> None:
    # '%still us%' read "still useless" as loyalty, '%loyal%' "disloyal" and '%renew%' "renewable".
    cues = _cues(database_url, LOYAL + NOT_LOYAL)
    assert [t for t in LOYAL if cues[t] != "loyalty"] == []
    assert [t for t in NOT_LOYAL if cues[t] is not None] == []


def test_a_brand_name_with_regex_characters_is_read_as_written(database_url: str) -> None:
    # The brand's names go into the expression: "C&A (Ltd.)" must match itself, not a group and any character.
    cues = _cues(database_url, ["Switched to C&A (Ltd.) last month, cheaper", "Switched to H&M, bye C&A",
                                "I'm done with C&A (Ltd.)", "I'm done with CxA (Ltd)"], brand="C&A (Ltd.)")
    assert list(cues.values()) == [None, "churn", "churn", None], cues
