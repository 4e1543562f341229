"""`--week latest` for a brand whose query matched nothing, in a database that runs have filled.

It said 'no mentions of Empty Brand are stored yet; run `journeywatch run` first' to a user who had run it
(the other brands' digests were there): the default week's digest says the query has matched nothing so far.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from journeywatch.domain import Mention
from journeywatch.reports import NoDataError, resolve_week
from journeywatch.settings import Config, parse_config
from journeywatch.storage import open_database, store_batch


def _config(url: str) -> Config:
    return parse_config({"database": url, "brands": [{"name": "Acme", "query": "acme"},
                                                     {"name": "Empty Brand", "query": "nobodysaysthis"}]})


def test_a_brand_whose_query_matched_nothing_is_told_so(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id="1", text="acme is fine", brands=["Acme"],
                                 created_at=datetime(2026, 11, 10, 12, tzinfo=timezone.utc))])
    with pytest.raises(NoDataError) as error:
        resolve_week(engine, _config(sqlite_url), "latest", ["Empty Brand"])
    message = str(error.value)
    assert message.startswith("no mentions of Empty Brand are stored yet: no item collected so far has matched "
                              "its query")
    assert "journeywatch run` first" not in message


def test_an_empty_database_still_says_to_run_first(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    with pytest.raises(NoDataError, match=r"run `journeywatch run` first"):
        resolve_week(engine, _config(sqlite_url), "latest", ["Empty Brand"])
