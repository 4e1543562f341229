"""A PostgreSQL URL whose search_path names a schema not created yet: the error names it and the fix.

A team sharing one database gives journeywatch a schema of its own (`?options=-csearch_path%3Djw`);
before `CREATE SCHEMA` the command said only PostgreSQL's "no schema has been selected to create in".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "journeywatch")


@pytest.mark.postgres
def test_a_missing_schema_is_named_with_how_to_create_it(postgres_url: str, tmp_path: Path) -> None:
    url = postgres_url.split("?")[0] + "?options=-csearch_path%3Dnewuser_no_such_schema"
    done = subprocess.run([CLI, "db", "upgrade", "--database", url], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no schema has been selected to create in: the URL's search_path names schema " \
           "'newuser_no_such_schema', which does not exist in that database; create it " \
           '(CREATE SCHEMA "newuser_no_such_schema";)' in done.stderr, done.stderr


@pytest.mark.postgres
def test_the_schema_once_created_takes_the_tables(postgres_url: str, tmp_path: Path) -> None:
    done = subprocess.run([CLI, "db", "upgrade", "--database", postgres_url], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "created journeywatch's tables" in done.stdout
