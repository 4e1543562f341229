"""A digest's retry warnings name a mail target as the config writes it, as the final line does.

`journeywatch digest` with a `mailto://` relay down said 'notification to mailto://****@127.0.0.1:.../****
?inline=yes&from=... failed (attempt 1 of 2)', then '... digest not sent ... to mailto://****@127.0.0.1:...
/****?from=...': the `inline=yes` the digest adds for its inline charts, which no config wrote, named the
target in the warnings only, so it read as two targets. The command runs as a user runs it, against a closed
port on 127.0.0.1; the password stays masked in every line.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import yaml

from journeywatch.storage import open_database
from tests.test_digest_data import BRAND, WEEK, fill, make_items

CLI = str(Path(sys.executable).parent / "journeywatch")
PASSWORD = "s3cret-relay-pw"


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: one the OS handed out, then closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_retry_warning_and_the_outcome_name_the_same_target(sqlite_url: str, tmp_path: Path) -> None:
    fill(open_database(sqlite_url), make_items(weeks=2), failures=0)
    target = (f"mailto://digest:{PASSWORD}@127.0.0.1:{_closed_port()}"
              "?from=digest@example.org&to=brand.manager@example.org&mode=insecure")
    config = tmp_path / "journeywatch.yaml"
    config.write_text(yaml.safe_dump({"database": sqlite_url, "brands": [{"name": BRAND, "query": "northwind"}],
                                      "digest": {"notify": [target], "retries": 1}}), encoding="utf-8")

    done = subprocess.run([CLI, "digest", "--config", str(config), "--out", str(tmp_path / "out"), "--week", WEEK],
                          capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    [warning] = [line for line in lines if "failed (attempt 1 of 2)" in line]
    [outcome] = [line for line in lines if "digest not sent" in line]
    named = outcome.rsplit(" to ", 1)[1]
    assert named.startswith("mailto://****@127.0.0.1:") and "from=digest%40example.org" in named
    assert warning.startswith(f"notification to {named} failed"), (warning, outcome)
    assert "inline" not in done.stderr + done.stdout
    assert PASSWORD not in done.stderr + done.stdout
