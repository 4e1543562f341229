"""A `name:value` in a brand query: the error says what to write, with the user's own text, not a template."""

from __future__ import annotations

import pytest

from journeywatch.query import QueryError, compile_query


@pytest.mark.parametrize(("query", "expected", "position"), [
    # a brand's web address: it was 'field searches (name:value) are not supported; quote the text: "name:value"'
    ("https://zephyr.example", 'a web address is read as a field search (name:value); to search for the text, quote '
                               'it: "https://zephyr.example"', 0),
    ("zephyr OR (support:zephyr)", 'to search for the text, quote it: "support:zephyr"', 11),
    ('zephyr OR title:"zephyr kettle"', "search for the value alone, without 'title:'", 10),
])
def test_a_field_search_is_refused_naming_what_to_write(query: str, expected: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert expected in caught.value.problem and caught.value.position == position
    assert '"name:value"' not in str(caught.value)


def test_the_quoted_web_address_it_suggests_compiles_and_matches() -> None:
    compiled = compile_query('"https://zephyr.example"')
    assert compiled.matcher("see https://zephyr.example/kettles", frozenset({"https", "zephyr", "example",
                                                                              "kettles", "see"}))
