"""An item edited while another run classifies its old text.

One run stores an edit (a feed entry or Reddit post whose text changed: `store_batch` drops the item's
classification so it is classified again) while another run is classifying the item's old text. The
old text's classification was saved on the edited item, which was then never classified again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select, text

from journeywatch.domain import Prediction
from journeywatch.flows.steps import classify_pending
from journeywatch.storage import count_pending, iter_pending, open_database, save_predictions, store_batch
from journeywatch.storage.tables import classifications, mentions
from tests.test_storage import _mention, _prediction

WAIT = 30  # seconds a PostgreSQL test waits for the other run's store to reach its lock


def _stored(engine: Engine) -> list[tuple[str, str | None]]:
    query = select(mentions.c.text, classifications.c.moment).select_from(mentions.outerjoin(classifications))
    with engine.connect() as connection:
        return [(row.text, row.moment) for row in connection.execute(query)]


def test_a_classification_of_text_edited_meanwhile_is_not_saved(database_url: str) -> None:
    engine = open_database(database_url)
    first = _mention(1)
    store_batch(engine, [first])
    batch = next(iter_pending(engine, 10))  # another run reads the old text and classifies it
    store_batch(engine, [replace(first, text="post 1, edited: the bag never came")])
    assert save_predictions(engine, "v1", [(batch[0], _prediction("purchase", "positive"))], only_missing=True) == 0
    assert _stored(engine) == [("post 1, edited: the bag never came", None)]
    assert count_pending(engine) == 1  # the next classification reads the newest text
    again = next(iter_pending(engine, 10))
    assert [p.text for p in again] == ["post 1, edited: the bag never came"]
    assert save_predictions(engine, "v1", [(again[0], _prediction("ultimate_moment", "negative"))],
                            only_missing=True) == 1
    assert _stored(engine) == [("post 1, edited: the bag never came", "ultimate_moment")]
    assert count_pending(engine) == 0


def test_a_title_edited_meanwhile_also_keeps_the_item_pending(database_url: str) -> None:
    engine = open_database(database_url)
    titled = replace(_mention(1), title="Lost bag")
    store_batch(engine, [titled])
    batch = next(iter_pending(engine, 10))
    store_batch(engine, [replace(titled, title="Lost bag (found)")])
    assert save_predictions(engine, "v2", [(batch[0], _prediction("none", "neutral"))]) == 0  # replacing too
    assert count_pending(engine) == 1


def test_classifications_of_unchanged_text_are_saved_and_counted(database_url: str) -> None:
    engine = open_database(database_url)
    store_batch(engine, [_mention(i) for i in range(3)] + [replace(_mention(3), title="Untitled?")])
    batch = next(iter_pending(engine, 10))
    store_batch(engine, [_mention(i) for i in range(3)])  # read again, not edited: nothing changes
    assert save_predictions(engine, "v1", [(p, _prediction("none", "neutral")) for p in batch],
                            only_missing=True) == 4
    assert count_pending(engine) == 0
    # Saved again (another run that classified the same rows): kept as they are, none counted twice.
    assert save_predictions(engine, "v1", [(p, _prediction("stimulus", "positive")) for p in batch],
                            only_missing=True) == 0
    # A new model's classifications replace them, all counted.
    assert save_predictions(engine, "v2", [(p, _prediction("stimulus", "positive")) for p in batch]) == 4
    assert {moment for _, moment in _stored(engine)} == {"stimulus"}
    with engine.connect() as connection:
        saved = connection.execute(select(classifications).where(classifications.c.mention_id == 4)).one()
    assert (saved.model_version, saved.sentiment, saved.moment_confidence, saved.needs_review) == (
        "v2", "positive", 0.9, False)
    assert saved.probabilities == {"moment": {"stimulus": 0.9}, "sentiment": {"positive": 0.8}}
    assert saved.classified_at.tzinfo is not None


class EditingMeanwhile:
    """A classifier during whose first batch another run stores an edit of `mention` (`store`, as that run would)."""

    version = "v1"

    def __init__(self, store: Callable[[], None]) -> None:
        self.store = store
        self.asked: list[str] = []

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not self.asked:
            self.store()
        self.asked.extend(texts)
        return [_prediction("purchase", "positive") for _ in texts]


EDITED = "post 1, edited: the bag never came"


def test_classify_pending_leaves_an_item_edited_meanwhile_pending_and_uncounted(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    store_batch(engine, [_mention(0), _mention(1)])
    classifier = EditingMeanwhile(lambda: store_batch(engine, [replace(_mention(1), text=EDITED)]))
    assert classify_pending(engine, classifier) == 1  # post 0 only
    assert sorted(_stored(engine)) == [("post 0", "purchase"), (EDITED, None)]
    assert classify_pending(engine, classifier) == 1
    assert classifier.asked == ["post 0", "post 1", EDITED]
    assert count_pending(engine) == 0


def _wait_for_a_lock_wait(engine: Engine) -> None:
    """Until a session of this database waits on a row lock (the other run's store), at most WAIT seconds."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'")
    for _ in range(int(WAIT / 0.05)):
        with engine.connect() as connection:
            if connection.execute(query).scalar_one():
                return
        time.sleep(0.05)
    raise AssertionError(f"no session waited on a lock in {WAIT} s")


@pytest.mark.postgres
def test_an_edit_stored_while_its_old_text_is_classified_on_postgresql(postgres_url: str) -> None:
    """The claimed batch holds the item's row while it is classified: the run storing the edit waits for it, and
    must drop the classification saved meanwhile (it dropped the classification before waiting, and kept this one)."""
    url = postgres_url + "%20-clock_timeout%3D10000"  # a lock this test waits for fails it in 10 s, never hangs
    engine = open_database(url)
    store_batch(engine, [_mention(0), _mention(1)])
    storing: list[threading.Thread] = []

    def edit_in_another_run() -> None:
        storing.append(threading.Thread(target=store_batch, args=(engine, [replace(_mention(1), text=EDITED)])))
        storing[0].start()
        _wait_for_a_lock_wait(engine)  # it waits for this run's batch

    classifier = EditingMeanwhile(edit_in_another_run)
    try:
        classify_pending(engine, classifier)
    finally:
        for thread in storing:
            thread.join(WAIT)
    assert sorted(_stored(engine)) == [("post 0", "purchase"), (EDITED, None)]
    assert count_pending(engine) == 1
    assert classify_pending(engine, classifier) == 1
    assert count_pending(engine) == 0
