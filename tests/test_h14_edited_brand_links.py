"""An edited item keeps links only to the brands its newest text names, on SQLite and PostgreSQL.

"Acme and Globex lost my bag" edited into "Globex lost my bag" no longer speaks of Acme: Acme's counts and
digest must not keep it. Brands the new text still names keep their link as it was (not linked anew).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from journeywatch.alerts.counts import window_counts, window_index
from journeywatch.domain import Mention
from journeywatch.storage import open_database, save_predictions, store_batch
from journeywatch.storage.tables import mention_brands, mentions
from tests.test_storage import T0, _prediction

HOUR = timedelta(hours=1)


def _item(external_id: str, text: str, brands: list[str]) -> Mention:
    return Mention(source="export", external_id=external_id, text=text, created_at=T0, brands=brands)


def _links(engine: Engine) -> list[tuple[str, str]]:
    query = (select(mentions.c.external_id, mention_brands.c.brand)
             .select_from(mention_brands.join(mentions, mentions.c.id == mention_brands.c.mention_id))
             .order_by(mentions.c.external_id, mention_brands.c.brand))
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _classify_all_as_complaints(engine: Engine) -> None:
    with engine.connect() as connection:
        ids = connection.execute(select(mentions.c.id)).scalars().all()
    save_predictions(engine, "v1", [(i, _prediction("ultimate_moment", "negative")) for i in ids])


def test_an_edit_that_no_longer_names_a_brand_leaves_its_counts(database_url: str) -> None:
    engine = open_database(database_url)
    store_batch(engine, [_item("bag", "Acme and Globex lost my bag", ["Acme", "Globex"]),
                         _item("kept", "Acme and Globex were fine", ["Acme", "Globex"]),
                         _item("other", "Acme lost my bag", ["Acme"])])
    _classify_all_as_complaints(engine)

    result = store_batch(engine, [_item("bag", "Globex lost my bag", ["Globex"]),
                                  _item("kept", "Acme and Globex were fine", ["Acme"]),  # not edited
                                  _item("other", "Acme lost my bag, found it", ["Acme"])])
    assert (result.new, result.seen, result.edited) == (0, 3, 2)
    assert result.linked == {"Globex": 0, "Acme": 0}  # the links kept were not made anew
    assert _links(engine) == [("bag", "Globex"), ("kept", "Acme"), ("kept", "Globex"), ("other", "Acme")]

    _classify_all_as_complaints(engine)
    hour = window_index(T0, HOUR)
    assert window_counts(engine, "Acme", HOUR, hour, hour + 1).share.tolist() == [2]
    assert window_counts(engine, "Globex", HOUR, hour, hour + 1).share.tolist() == [2]


def test_an_edit_naming_a_new_brand_links_it_and_drops_the_old(database_url: str) -> None:
    engine = open_database(database_url)
    store_batch(engine, [_item("bag", "Acme lost my bag", ["Acme"])])
    result = store_batch(engine, [_item("bag", "Initech lost my bag", ["Initech"])])
    assert result.edited == 1 and result.linked == {"Initech": 1}
    assert _links(engine) == [("bag", "Initech")]
