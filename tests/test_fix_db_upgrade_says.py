"""`db upgrade` says what it did: created the tables, upgraded from a revision, or nothing to do."""

from __future__ import annotations

from pathlib import Path

from journeywatch.storage.database import create_database_engine, upgrade
from tests.test_cli import _run


def test_db_upgrade_says_whether_it_created_upgraded_or_found_the_schema_current(tmp_path: Path) -> None:
    created = _run("db", "upgrade", "--database", "sqlite:///new.db", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "created journeywatch's tables (schema revision 0004)" in created.stdout
    again = _run("db", "upgrade", "--database", "sqlite:///new.db", cwd=tmp_path)
    assert "is up to date (schema revision 0004)" in again.stdout

    older = create_database_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(older, "0002")
    older.dispose()
    upgraded = _run("db", "upgrade", "--database", "sqlite:///old.db", cwd=tmp_path)
    assert "upgraded from schema revision 0002 to 0004" in upgraded.stdout


def test_db_upgrade_of_an_unopenable_database_still_says_why(tmp_path: Path) -> None:
    (tmp_path / "folder.db").mkdir()
    result = _run("db", "upgrade", "--database", "sqlite:///folder.db", cwd=tmp_path)
    assert result.returncode == 1 and "is a folder" in result.stderr
