"""The database a command names by `--database`, `--config` or JOURNEYWATCH_DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..settings import DATABASE_ENV, Config, load_config
from ..settings.config import database_from_config, url_problem

if TYPE_CHECKING:
    from sqlalchemy import Engine


def database_engine(config: Path | None, database: str | None, *,
                    must_exist: bool = True) -> tuple[Engine, Config | None]:
    """The migrated engine and the loaded config (None without --config), for `reclassify`, `alerts list`..."""
    from journeywatch.storage.database import migrated_engine

    url, where, settings = database_url(config, database, must_exist=must_exist)
    return migrated_engine(url, where), settings


def database_url(config: Path | None, database: str | None, *, must_exist: bool = True,
                 whole_config: bool = True) -> tuple[str, str | None, Config | None]:
    """The database URL, the option it came from (None: the config or the variable) and the loaded config.

    Without `whole_config` (`db upgrade`) only the config's `database` key is read, and no config is returned.

    One place, so every such command refuses the same URLs: a database in
    memory (everything gone when the command ends), and, for commands that
    only read (`must_exist`), a SQLite file that is not there or holds
    another program's tables. Errors name the option the URL came from.
    """
    from journeywatch.storage import require_existing

    # A bad source entry is the monitor's business; with --database, the config's database key is not used.
    given = database is not None
    settings = load_config(config, strict=False, database_given=given) if config and whole_config else None
    if settings:
        configured: str | None = settings.database
    else:
        configured = database_from_config(config, database_given=given) if config else None
    url = database or configured or os.environ.get(DATABASE_ENV)
    if not url:
        raise ConfigError(f"give --config or --database (or set {DATABASE_ENV})")
    where = "--database" if database else None
    if "://" not in url:  # SQLAlchemy's "Could not parse SQLAlchemy URL" did not say what to write instead
        raise ConfigError(f"{where or DATABASE_ENV}: {url!r} is not a database URL; for a SQLite file there, give "
                          f"sqlite:///{Path(url).expanduser().resolve()} (or postgresql://user@host:5432/db)")
    if problem := url_problem(url):  # the config refuses these itself; --database and the variable here
        raise ConfigError(f"{where or DATABASE_ENV}: {problem}")
    if must_exist:
        require_existing(url, where)
    return url, where, settings
