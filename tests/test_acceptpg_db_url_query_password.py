"""A PostgreSQL password given in the URL's query (`?password=`, as libpq reads it) stays out of messages.

SQLAlchemy's `hide_password` masks only a password in the user info; `db upgrade` printed
`...?password=<the password>` in its error for an unreachable server and in its success line.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "journeywatch")
SECRET = "Pw0rdInQuery77"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _upgrade(url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "db", "upgrade", "--database", url], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def test_an_unreachable_server_is_named_without_the_query_password(tmp_path: Path) -> None:
    done = _upgrade(f"postgresql://jw@127.0.0.1:{_closed_port()}/jw?password={SECRET}&sslpassword={SECRET}",
                    tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cannot open postgresql+psycopg://jw@127.0.0.1:" in done.stderr, done.stderr
    assert "password=***" in done.stderr and SECRET not in done.stderr + done.stdout, done.stderr


@pytest.mark.postgres
def test_the_upgrade_line_names_the_database_without_the_query_password(postgres_url: str, tmp_path: Path) -> None:
    done = _upgrade(f"{postgres_url}&password={SECRET}", tmp_path)  # trust auth reads no password
    assert done.returncode == 0, done.stderr
    assert "created journeywatch's tables" in done.stdout and "password=***" in done.stdout, done.stdout
    assert SECRET not in done.stdout + done.stderr
