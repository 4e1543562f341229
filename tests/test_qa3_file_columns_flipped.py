"""`columns` written the other way round (the export's column, then our field): the error says how to write it."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeywatch.errors import ConfigError
from journeywatch.listeners.files import FileListener
from journeywatch.settings import FileSource


def test_a_mapping_written_the_other_way_round_is_shown_the_right_way(tmp_path: Path) -> None:
    """It said only "unknown field(s) ['Body', 'Opened']; fields are [...]", naming the export's own columns."""
    settings = FileSource(kind="file", name="tickets", path=tmp_path / "t.csv",
                          columns={"Body": "text", "Opened": "created_at", "Agent Notes": "internal"})
    with pytest.raises(ConfigError) as caught:
        FileListener(settings)
    message = str(caught.value)
    assert "unknown field(s) ['Agent Notes', 'Body', 'Opened']" in message
    assert message.endswith("(each entry is our field, then the export's column: write text: Body, "
                            "created_at: Opened)")


def test_an_unknown_field_alone_gets_no_such_hint(tmp_path: Path) -> None:
    settings = FileSource(kind="file", name="tickets", path=tmp_path / "t.csv", columns={"body": "Text Body"})
    with pytest.raises(ConfigError) as caught:
        FileListener(settings)
    assert "each entry is our field" not in str(caught.value)
