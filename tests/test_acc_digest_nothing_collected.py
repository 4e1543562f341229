"""A digest of a database nothing was collected into does not blame the brand's query.

A brand manager's first `run` had its only feed refused (a wrong port): nothing was stored. The digest then
said "Nothing is stored for it yet: no item collected so far matched its query" (stderr) and "no collected item
has matched its query" (its highlights): no item had been collected at all, and the query was fine. The
digest now says nothing has been collected from the config's sources, and points at the run and its sources.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import yaml

CLI = str(Path(sys.executable).parent / "journeywatch")
BRAND = "Café Zoë"


def _refused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JOURNEYWATCH_AUTHOR_KEY": "test-key-nothing-collected", "NO_COLOR": "1"}
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300, check=False, cwd=cwd, env=env)


def test_a_run_that_stored_nothing_is_not_read_as_a_query_matching_nothing(tmp_path: Path) -> None:
    config = tmp_path / "brand.yaml"
    config.write_text(yaml.safe_dump({
        "database": "sqlite:///jw.db",
        "brands": [{"name": BRAND, "query": '"café zoë"'}],
        "sources": [{"name": "reviews", "kind": "feed", "url": f"http://127.0.0.1:{_refused_port()}/r.rss",
                     "source_kind": "review", "retries": 0}],
        "alerts": {"enabled": False},
        "digest": {"timezone": "Europe/Paris"},
    }, allow_unicode=True), encoding="utf-8")
    run = _cli("run", "--config", str(config), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "reviews" in run.stdout and "Connection refused" in run.stdout.replace("\n", " ")

    digest = _cli("digest", "--config", str(config), "--out", "d", "--no-send", cwd=tmp_path)
    assert digest.returncode == 0, digest.stderr
    [note] = [line for line in digest.stderr.splitlines() if line.startswith("Note:")]
    assert "matched its query" not in note
    assert "nothing has been collected from the config's sources yet" in note
    [data] = (tmp_path / "d").glob("*.json")
    first = json.loads(data.read_text(encoding="utf-8"))["highlights"][0]
    assert "matched its query" not in first
    assert f"Nothing is stored for {BRAND} yet: nothing has been collected from the config's sources" in first
    [markdown] = (tmp_path / "d").glob("*.md")
    assert "nothing has been collected from the config" in markdown.read_text(encoding="utf-8")
    assert "matched its query" not in markdown.read_text(encoding="utf-8")
