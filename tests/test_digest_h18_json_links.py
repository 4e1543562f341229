"""The JSON digest gives a quote's link only where the HTML and Markdown would link it: http(s), else null.

An item whose link was `javascript:alert(1)` or `data:text/html,...` kept it in the .json, where a consumer
rendering the JSON (a dashboard) would make it a link; the HTML and Markdown already refused it. The JSON now
passes every link (the stages' quotes, the most negative items, the alerts' top items) through the same
`safe_url` they use. The digest is built from a real SQLite database holding such items.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from journeywatch.domain import Mention, Prediction
from journeywatch.links import safe_url
from journeywatch.reports import Digest, build_digest, parse_week, render_json
from journeywatch.reports.formatting import safe_url as digest_safe_url
from journeywatch.settings import parse_config
from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, WEEK_START, Item, fill, make_items

UNSAFE = ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " JavaScript:alert(2)",
          "vbscript:msgbox(1)", "https:///no-host", "//example.org/no-scheme")


def _surest(url: str, n: int) -> Item:
    """A negative share-stage item the classifier is surer of than of any other: quoted first."""
    mention = Mention(source="trustpilot", external_id=f"unsafe-{n}", text=f"Avoid Northwind Coffee, awful ({n})",
                      created_at=WEEK_START + timedelta(days=1, minutes=n), url=url, author=f"author-{n}",
                      brands=[BRAND])
    return Item(mention, Prediction("ultimate_moment", 0.999, "negative", 0.9999, {"ultimate_moment": 0.999},
                                    {"negative": 0.9999}))


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Digest:
    url = f"sqlite:///{tmp_path_factory.mktemp('json-links') / 'j.db'}"
    engine = open_database(url)
    fill(engine, make_items() + [_surest(u, n) for n, u in enumerate(UNSAFE)])
    config = parse_config({"database": url, "brands": [{"name": BRAND, "query": "x"}],
                           "digest": {"top_negative": 20, "quotes_per_stage": 5}})
    return build_digest(engine, config, BRAND, parse_week(WEEK))


def _links(data: dict[str, Any]) -> list[str | None]:
    quotes = [q for stage in data["stages"] for q in stage["quotes"]] + data["negative_share_items"]
    return [q["url"] for q in quotes] + [i["url"] for a in data["alerts"] for i in a["top_items"]]


def test_the_digest_and_the_json_share_one_predicate() -> None:
    assert digest_safe_url is safe_url


def test_json_links_only_http(digest: Digest) -> None:
    stored = [q.url for q in digest.negative_share_items]
    assert set(UNSAFE) <= set(stored)  # the items are quoted: their links are what the JSON must not give
    data = json.loads(render_json(digest))
    links = _links(data)
    assert links and not set(UNSAFE) & set(links)
    assert all(link is None or safe_url(link) == link for link in links), links
    assert any(link and link.startswith("https://example.org/") for link in links)  # safe links are kept
    shown = {q["text"]: q["url"] for q in data["negative_share_items"]}
    assert [shown[f"Avoid Northwind Coffee, awful ({n})"] for n in range(len(UNSAFE))] == [None] * len(UNSAFE)


def test_an_alerts_top_items_keep_only_http_links(digest: Digest) -> None:
    fired = {"id": 7, "brand": BRAND, "top_items": [
        {"text": "avoid", "url": "javascript:alert(1)", "source": "forum", "source_kind": "forum",
         "created_at": "2026-11-10T14:00:00Z"},
        {"text": "never again", "url": "https://forum.example.org/t/1", "source": "forum", "source_kind": "forum",
         "created_at": "2026-11-10T14:05:00Z"},
    ]}
    digest.alerts = [fired]
    try:
        data = json.loads(render_json(digest))
    finally:
        digest.alerts = []
    assert [i["url"] for i in data["alerts"][0]["top_items"]] == [None, "https://forum.example.org/t/1"]
    assert fired["top_items"][0]["url"] == "javascript:alert(1)"  # the digest itself is left as built
