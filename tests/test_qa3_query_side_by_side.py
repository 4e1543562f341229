"""Words side by side beside an unbracketed OR: read as luqum reads them, and the config's loading says how."""

from __future__ import annotations

import logging

import pytest

from journeywatch.listeners import BrandMatcher
from journeywatch.query import compile_query
from journeywatch.settings import Brand


def test_side_by_side_with_an_or_warns_how_the_query_reads(caplog: pytest.LogCaptureFixture) -> None:
    """'zephyr air OR zephyrair' never matched "zephyrair is great" (zephyr AND (air OR zephyrair)), and nothing said
    so: a written AND binds the other way, and the README's own example needs its quotes."""
    brands = [Brand(name="Zephyr Air", query="zephyr air OR zephyrair"),
              Brand(name="Quoted", query='"zephyr air" OR zephyrair'),
              Brand(name="Bracketed", query="zephyr (air OR zephyrair)"),
              Brand(name="Written", query="zephyr AND air OR zephyrair")]
    with caplog.at_level(logging.WARNING, logger="journeywatch.listeners.brands"):
        matcher = BrandMatcher(brands)
        BrandMatcher(brands)  # built again by the flow: said once
    assert [r.getMessage() for r in caplog.records] == [
        "brand 'Zephyr Air': words side by side bind looser than OR: 'zephyr air OR zephyrair' reads as zephyr AND "
        "(air OR zephyrair); add parentheses, or quotes for a phrase (\"acme air\" OR acmeair), to say what you mean"]
    assert matcher.brands_of("zephyrair is great") == ["Quoted", "Written"]  # the query still runs as written


@pytest.mark.parametrize(("query", "reading"), [
    ("a b OR c d", "'a b OR c d' reads as a AND (b OR c) AND d"),
    ("(a b OR c) AND d", "'a b OR c' reads as a AND (b OR c)"),
    ("acme -job OR hiring", "'acme -job OR hiring' reads as acme AND (-job OR hiring)"),
    ("acme kettle", None),
    ("acme OR (air kettle)", None),
    ('"acme air" OR acmeair', None),
])
def test_the_reading_names_the_part_that_mixes_them(query: str, reading: str | None) -> None:
    assert compile_query(query).loose_and == reading
