"""Fixtures shared by the whole suite: real databases and one Prefect harness.

Area-specific fixtures (local Reddit, feed, SMTP and webhook servers) live in
`tests/servers/`, one module per server, imported where needed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# pytest-xdist gives its workers COLUMNS=80, which the CLI's Rich consoles, built at import, would keep
# for every command; the tests that read wrapped output set their own width per command.
os.environ.pop("COLUMNS", None)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from sqlalchemy import create_engine, text  # noqa: E402

from journeywatch.storage import forget_engines  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
POSTGRES_URL = os.environ.get("JOURNEYWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: skip, and say why
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


_PG_SKIP = _postgres_reason()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'journeywatch.db'}"
    forget_engines()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema per test, dropped afterwards, so tests never see each other's rows."""
    if _PG_SKIP:
        if os.environ.get("CI") and not os.environ.get("JOURNEYWATCH_ALLOW_PG_SKIP"):
            pytest.fail(_PG_SKIP + " (CI must run the PostgreSQL tests)")
        pytest.skip(_PG_SKIP)
    schema = f"jw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    forget_engines()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run a storage test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the session (it takes ~10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def shared_benchmarks() -> Path:
    path = SHARED / "benchmarks"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: benchmark data is not checked out beside the project")
    return path
