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


@pytest.mark.parametrize("url", ["postgresql://jw:p@ss:SECRETword@127.0.0.1/jw",
                                 "postgresql://jw:p@SECRETword@127.0.0.1/jw"])
@pytest.mark.parametrize("how", ["option", "environment", "config"])
def test_a_password_holding_an_at_sign_is_not_quoted_in_a_traceback(tmp_path: Path, how: str, url: str) -> None:
    """Found by a secrets audit: `postgresql://jw:p@ss:SECRETword@db/jw` (a password's '@' not encoded) read
    'ss:SECRETword@db' as the port: SQLAlchemy's `int()` raised a ValueError that no handler took, so every
    command printed a traceback ending `invalid literal for int() with base 10: 'SECRETword@127.0.0.1'`;
    with no ':' after it, 'SECRETword@127.0.0.1' was the host: "failed to resolve host 'SECRETword@127.0.0.1'"."""
    env = {key: value for key, value in os.environ.items() if key != "JOURNEYWATCH_DATABASE_URL"}
    args = ["alerts", "list"]
    named = {"option": "--database", "environment": "JOURNEYWATCH_DATABASE_URL", "config": "config key 'database'"}
    if how == "option":
        args += ["--database", url]
    elif how == "environment":
        env["JOURNEYWATCH_DATABASE_URL"] = url
    else:
        (tmp_path / "jw.yaml").write_text(f"database: '{url}'\nbrands: [{{name: A, query: a}}]\n", encoding="utf-8")
        args += ["--config", "jw.yaml"]
    result = subprocess.run([*CLI, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1
    assert "SECRETword" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"Error: {named[how]}: ")
    assert "%40" in result.stderr  # it says how to write the password
