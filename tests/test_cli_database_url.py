"""`--database` and JOURNEYWATCH_DATABASE_URL given a file path instead of a URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "journeywatch"]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_path_for_a_database_url_says_the_url_to_give(tmp_path: Path, how: str) -> None:
    """It said "Could not parse SQLAlchemy URL from given URL string": true, but not what to write instead."""
    env = {key: value for key, value in os.environ.items() if key != "JOURNEYWATCH_DATABASE_URL"}
    args = ["alerts", "list"]
    if how == "option":
        args += ["--database", "jw.db"]
    else:
        env["JOURNEYWATCH_DATABASE_URL"] = "jw.db"
    result = subprocess.run([*CLI, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    named = "--database" if how == "option" else "JOURNEYWATCH_DATABASE_URL"
    assert result.returncode == 1
    assert result.stderr == (f"Error: {named}: 'jw.db' is not a database URL; for a SQLite file there, give "
                             f"sqlite:///{tmp_path.resolve() / 'jw.db'} (or postgresql://user@host:5432/db)\n")
    assert not (tmp_path / "jw.db").exists()
