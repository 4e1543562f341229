"""A SQLite URL naming a folder says so: SQLite's "unable to open database file" did not."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeywatch.errors import ConfigError
from journeywatch.storage import open_database


def test_a_sqlite_url_naming_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        open_database(f"sqlite:///{tmp_path}")
    assert f"{tmp_path} is a folder; name a database file in it, e.g. sqlite:///{tmp_path}/journeywatch.db" \
        in str(raised.value)
