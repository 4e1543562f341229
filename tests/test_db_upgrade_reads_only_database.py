"""`db upgrade --config` reads only the config's `database` key.

It validated the whole config: a notify URL the alerts settings refuse, or a brand with an empty query,
stopped a schema upgrade that needs neither. The database key itself is still read as every command
reads it (`${NAME}`s filled in, a relative SQLite path from the config's folder, JOURNEYWATCH_DATABASE_URL
over it), and a missing file, bad YAML or a bad `database` key still fail with the one-line error.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from journeywatch.errors import ConfigError
from journeywatch.settings import DATABASE_ENV, load_config

CLI = [sys.executable, "-m", "journeywatch"]

# Each of these alone makes `load_config` refuse the config; none is about the database.
UNRELATED_PROBLEMS = """\
brands:
  - {name: Acme, query: ""}
sources:
  - {name: private, kind: feed, url: "https://feeds.example/x.xml?token=${JW_TEST_UNSET_FEED_TOKEN}"}
alerts:
  notify: ["json://127.0.0.1:8099/hook?token=abc"]
"""


def _upgrade(config: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in (DATABASE_ENV, "JW_TEST_DB_NAME", "JW_TEST_UNSET_FEED_TOKEN")}
    return subprocess.run([*CLI, "db", "upgrade", "--config", str(config)], cwd=cwd, env={**environment, **env},
                          capture_output=True, text=True, timeout=120)


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_config_refused_for_its_alerts_and_brands_still_upgrades_its_sqlite_database(tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "etc", tmp_path / "elsewhere"
    folder.mkdir(), elsewhere.mkdir()
    config = folder / "journeywatch.yaml"
    config.write_text("database: sqlite:///data/${JW_TEST_DB_NAME}.db\n" + UNRELATED_PROBLEMS, encoding="utf-8")
    (folder / "data").mkdir()
    with pytest.raises(ConfigError):  # the whole config is refused, as `run` would refuse it
        load_config(config, strict=False)

    done = _upgrade(config, elsewhere, JW_TEST_DB_NAME="jw")  # relative to the config's folder, not the cwd
    assert done.returncode == 0, done.stderr
    assert "created journeywatch's tables" in done.stdout
    assert {"mentions", "alembic_version"} <= _tables(folder / "data" / "jw.db")
    assert not list(elsewhere.iterdir())
    again = _upgrade(config, elsewhere, JW_TEST_DB_NAME="jw")
    assert again.returncode == 0 and "is up to date" in again.stdout, again.stderr


def test_the_environment_variable_still_overrides_the_key(tmp_path: Path) -> None:
    config = tmp_path / "journeywatch.yaml"
    config.write_text("database: sqlite:///${JW_TEST_UNSET_DB_NAME}.db\n" + UNRELATED_PROBLEMS, encoding="utf-8")
    target = tmp_path / "override.db"
    done = _upgrade(config, tmp_path, **{DATABASE_ENV: f"sqlite:///{target}"})
    assert done.returncode == 0, done.stderr
    assert "mentions" in _tables(target)


@pytest.mark.parametrize(("text", "said"), [
    ("database: sqlite:///${JW_TEST_UNSET_DB_NAME}.db\n",
     "config key 'database': environment variable JW_TEST_UNSET_DB_NAME is not set"),
    ("database: journeywatch.db\n", "config key 'database': must be a database URL like sqlite:///"),
    ("database: sqlite://\n", "names no file: that is a database in memory"),
    ("database: [sqlite:///jw.db]\n", "config key 'database': must be text"),
    ("database: sqlite:///jw.db\n  brands: x\n", "is not valid YAML at line 2"),
    ("database: sqlite:///jw.db\ndatabase: sqlite:///other.db\n", "appears twice in one mapping"),
    ("", "is empty"),
])
def test_a_bad_database_key_or_file_is_still_a_one_line_error(tmp_path: Path, text: str, said: str) -> None:
    config = tmp_path / "journeywatch.yaml"
    config.write_text(text + UNRELATED_PROBLEMS if text else "", encoding="utf-8")
    done = _upgrade(config, tmp_path)
    assert done.returncode == 1 and said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.db"))


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    done = _upgrade(tmp_path / "nope.yaml", tmp_path)
    assert done.returncode == 1 and "config file" in done.stderr and "not found" in done.stderr, done.stderr


@pytest.mark.postgres
def test_a_config_refused_for_its_alerts_and_brands_still_upgrades_its_postgres_database(
        postgres_url: str, tmp_path: Path) -> None:
    config = tmp_path / "journeywatch.yaml"
    config.write_text(f"database: '{postgres_url}'\n" + UNRELATED_PROBLEMS, encoding="utf-8")
    done = _upgrade(config, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "created journeywatch's tables" in done.stdout
    engine = create_engine(postgres_url)
    try:
        assert "mentions" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
