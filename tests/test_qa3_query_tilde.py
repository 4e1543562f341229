"""A `~` followed by something luqum cannot read as a number: a config error, not a traceback."""

from __future__ import annotations

import pytest

from journeywatch.query import QueryError, compile_query


@pytest.mark.parametrize(("query", "position"), [("zephyr~.", 6), ('"zephyr kettle"~.', 15), ("a OR zephyr~.x", 11)])
def test_a_tilde_before_no_number_is_a_query_error(query: str, position: int) -> None:
    """'zephyr~.' raised decimal.InvalidOperation, '"zephyr kettle"~.' int()'s ValueError: the CLI printed a
    traceback and named neither the brand nor the position."""
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert caught.value.problem == "fuzzy terms and proximity phrases (~) are not supported"
    assert caught.value.position == position
