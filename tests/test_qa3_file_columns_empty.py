"""A `columns` entry left empty (`author:` with nothing after it, or ""): one line saying so, on load."""

from __future__ import annotations

import pytest

from journeywatch.settings import parse_config


@pytest.mark.parametrize("column", [None, "", "  "])
def test_an_empty_column_name_is_a_config_error_saying_so(column: object) -> None:
    """`author:` (YAML null) said "must be a column's name, not None (put it in quotes)", Python's word, and quoting
    nothing helps; "" passed the load and failed the source as "the file has no column for author -> ''"."""
    config = parse_config({"brands": [{"name": "Zephyr", "query": "zephyr"}],
                           "sources": [{"name": "tickets", "kind": "file", "path": "t.csv",
                                        "columns": {"text": "Body", "author": column}}]}, strict=False)
    ((name, message),) = config.source_errors
    assert name == "tickets"
    assert ("source 'tickets': columns: author names no column; write the export's column after 'author:', or "
            "leave author out") in message
    assert "None" not in message
