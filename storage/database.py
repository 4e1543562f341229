"""Opening a database: engine, SQLite pragmas, migrations applied on first use."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from journeywatch.errors import ConfigError, JourneywatchError
from journeywatch.redaction import SECRET_QUERY_KEY

_MIGRATIONS = Path(__file__).parent / "migrations"
_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def normalise_url(url: str) -> str:
    """Point plain PostgreSQL URLs at psycopg 3, the driver journeywatch ships; `~` in a SQLite path is home.

    The shell expands no `~` inside a URL, so `JOURNEYWATCH_DATABASE_URL=sqlite:///~/jw.db` or
    `--database sqlite:///~/jw.db` made a folder named '~' in the working directory (the config's
    own `database` key was already expanded when it loaded).
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and (parsed.database or "").startswith("~"):
        parsed = parsed.set(database=os.path.expanduser(parsed.database or ""))
    return parsed.render_as_string(hide_password=False)


def shown_url(url: str | URL) -> str:
    """`url` for a message: its password masked, in the user info and in a query value (`?password=`).

    libpq reads a password (`password=`, `sslpassword=`) from the query as well as from the user info,
    and SQLAlchemy's `hide_password` masks only the user info's.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    secret = {k: "***" for k in parsed.query if SECRET_QUERY_KEY.search(k)}
    shown = parsed.update_query_dict(secret).render_as_string(hide_password=True)
    return shown.replace("=%2A%2A%2A", "=***")  # the mask as the user info's, not URL-encoded


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (digest) never block the monitor
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_database_engine(url: str) -> Engine:
    """An engine for `url` with no migrations run (tests and `db upgrade` use this)."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


class UnknownSchema(Exception):
    """The database records a schema revision that none of journeywatch's migrations made."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is there already.

    A revision this journeywatch does not know (a newer journeywatch migrated the database, or
    another program that uses Alembic keeps its own `alembic_version` there) raises UnknownSchema
    before anything is touched: Alembic's own "Can't locate revision" came out as a traceback.

    Processes opening the database at once (two workers' first runs, an overlapping cron run after
    an upgrade of journeywatch) migrate one after the other: both created the tables, and all but
    one failed with "table mentions already exists" (SQLite) or a duplicate key in `pg_type`
    (PostgreSQL). A schema at `revision` already is seen without taking any lock.
    """
    config = alembic_config(engine)
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.connect() as connection:
        heads = _current_heads(connection, known)
    if revision == "head" and set(heads) == set(script.get_heads()):
        return
    with engine.begin() as connection:
        _serialise_migrations(connection)
        _current_heads(connection, known)  # read again under the lock: another process may have migrated it
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _current_heads(connection: Any, known: set[str]) -> tuple[str, ...]:
    heads = tuple(MigrationContext.configure(connection).get_current_heads())
    unknown = [rev for rev in heads if rev not in known]
    if unknown:
        raise UnknownSchema(
            f"its schema is at revision {', '.join(unknown)}, which this journeywatch does not know: a newer "
            "journeywatch migrated it (upgrade this one), or another program's migrations live there "
            "(give journeywatch a database of its own); it is left as it is")
    return heads


# pg_advisory_xact_lock's key for journeywatch's migrations (any constant: it names the lock database-wide).
_MIGRATION_LOCK = 0x6A77_6D69_6772  # "jwmigr"


def _serialise_migrations(connection: Any) -> None:
    """Hold the database's migration lock until this transaction ends; wait for it while another holds it.

    PostgreSQL: a transaction-level advisory lock (DDL is transactional there, so the second process
    then finds the schema migrated). SQLite: the write lock, taken at once (BEGIN IMMEDIATE; pysqlite
    opens no transaction before DDL), waited for up to the busy timeout. Either is released when the
    transaction ends or its process dies, so a migration killed half-way holds nothing.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def recorded_revision(url: str) -> str | None:
    """The schema revision the database at `url` records; None for one never migrated, or unreadable.

    Unreadable is left to `migrated_engine`, which says why; `db upgrade` compares this before and
    after, since it said "up to date" even when it had just created every table.
    """
    try:
        engine = create_database_engine(url)
    except (ImportError, exc.ArgumentError, exc.NoSuchModuleError):
        return None
    try:
        with engine.connect() as connection:
            return ", ".join(MigrationContext.configure(connection).get_current_heads()) or None
    except exc.DBAPIError:
        return None
    finally:
        engine.dispose()


DATABASE_ENV = "JOURNEYWATCH_DATABASE_URL"  # the settings' override; named in errors when it is the source
_SUPPORTED = "journeywatch stores in SQLite (sqlite:///journeywatch.db) or PostgreSQL (postgresql://user@host:5432/db)"


def migrated_engine(url: str, where: str | None = None) -> Engine:
    """A new engine for `url`, migrated to the newest schema; a URL that cannot be opened is a ConfigError.

    `where` names where the URL came from in that error (default: the env variable or the config key).
    """
    where = where or (DATABASE_ENV if os.environ.get(DATABASE_ENV) == url else "config key 'database'")
    _refuse_foreign(url, where)
    try:
        engine = create_database_engine(url)
        upgrade(engine)  # DBAPIError: refused, unknown database, no right or no schema to create tables in
    except (ImportError, exc.ArgumentError, exc.NoSuchModuleError, exc.DBAPIError, UnknownSchema) as error:
        try:
            shown = shown_url(normalise_url(url))
        except exc.ArgumentError:
            shown = "the URL"  # unparsable: not shown, it may hold a password
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        if shown.startswith("sqlite") and (folder := make_url(shown).database) and Path(folder).is_dir():
            # SQLite's own words, "unable to open database file", did not say the path was a folder
            reason = f"{folder} is a folder; name a database file in it, e.g. {shown.rstrip('/')}/journeywatch.db"
        elif isinstance(error, (ImportError, exc.ArgumentError, exc.NoSuchModuleError)):
            # another database's URL (its driver is not installed) or no URL at all: say which ones work
            reason += f"; {_SUPPORTED}"
        elif NO_SCHEMA in reason:
            reason += _missing_schema(shown)
        raise ConfigError(f"{where}: cannot open {shown}: {reason}") from error
    return engine


NO_SCHEMA = "no schema has been selected to create in"  # PostgreSQL's words when no search_path schema exists


def _missing_schema(shown: str) -> str:
    """What to do when PostgreSQL found no schema to create the tables in: name the schema and how to make it.

    A team sharing one database gives journeywatch a schema of its own in the URL
    (`?options=-csearch_path%3Djw`); one not created yet gave only PostgreSQL's
    "no schema has been selected to create in", which names neither the schema nor the fix.
    """
    try:
        options = str(make_url(shown).query.get("options", ""))
    except exc.ArgumentError:
        options = ""
    named = re.search(r"search_path\s*=\s*([^\s]+)", options)
    if named:
        schema = named.group(1).split(",")[0].strip('"')
        return (f": the URL's search_path names schema '{schema}', which does not exist in that database; "
                f'create it (CREATE SCHEMA "{schema}";) or name one that exists')
    return ": none of the schemas on the user's search_path exists; create one, or name one in the URL " \
           "(?options=-csearch_path%3Djw)"


def open_database(url: str) -> Engine:
    """The engine for `url`, migrated to the newest schema once per process."""
    try:
        key = normalise_url(url)
    except exc.ArgumentError:
        key = url  # migrated_engine says what is wrong with it
    with _lock:
        if key not in _engines:
            _engines[key] = migrated_engine(url)
        return _engines[key]


def require_existing(url: str, where: str | None = None) -> None:
    """ConfigError when `url` names a SQLite file that is not there, for commands that only read.

    Opening creates the file (and its folders), so a mistyped path in a digest
    or `alerts list` config used to leave an empty database behind and report
    an empty week or "No alerts yet." as if nothing had been said.
    """
    try:
        parsed = make_url(normalise_url(url))
    except exc.ArgumentError:
        return  # opening it says what is wrong with it
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return
    where = where or (DATABASE_ENV if os.environ.get(DATABASE_ENV) == url else "config key 'database'")
    if not Path(path).exists():
        raise ConfigError(f"{where}: no database at {path}: nothing has been collected there yet "
                          "(run `journeywatch run --config FILE` first), or the path is mistyped")
    _refuse_foreign(url, where)


def _refuse_foreign(url: str, where: str) -> None:
    """ConfigError when `url` names a SQLite file holding another program's tables and none of journeywatch's.

    Migrating it added journeywatch's nine tables beside them: `run` or `db upgrade` pointed at an
    existing file of another program (a mistyped path, a data extract) changed it without a word.
    """
    try:
        parsed = make_url(normalise_url(url))
    except exc.ArgumentError:
        return  # opening it says what is wrong with it
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or not Path(path).is_file():
        return
    others = _foreign_tables(path)
    if others:
        raise ConfigError(f"{where}: {path} is not a journeywatch database (it holds {', '.join(others[:3])}"
                          f"{', ...' if len(others) > 3 else ''} but no 'mentions'); it is left as it is")


def _foreign_tables(path: str) -> list[str]:
    """The tables of a SQLite file that has tables but not journeywatch's; [] for ours, an empty file or no SQLite.

    Opening migrates, so a command that only reads, pointed at another
    program's database (Prefect's own prefect.db, say), added journeywatch's
    tables to it.
    """
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            names = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    except sqlite3.Error:
        return []  # not SQLite, or unreadable: opening it says so
    return [] if "mentions" in names or not set(names) - {"alembic_version"} else names


def forget_engines() -> None:
    """Dispose every cached engine (tests, and processes that switch databases)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


class DatabaseUnavailable(JourneywatchError):
    """The database refused a read or write part-way through a command (locked, read-only, gone away)."""


def database_problem(error: exc.DBAPIError) -> str:
    """The driver's reason in one line, without the SQL and parameters SQLAlchemy appends (post text among them).

    'database is locked' says what holds SQLite's lock that long, since the reason alone reads like a bug.
    """
    reason = (str(error.orig or error).strip().splitlines() or [type(error).__name__])[0]
    if "database is locked" in reason:
        reason += (" (another program held a write lock on the SQLite file for over 30 s: a sqlite3 shell or a "
                   "database browser with changes not written yet, a backup; close it and run again)")
    return reason
