"""A strict monitor flow run (prefect.yaml's deployment) is Failed when a step failed, as `run --strict` exits 2.

The hourly deployment's run with a dead source or a failed classification ended Completed: only
an ERROR line said otherwise, so the team's Prefect UI and its automations never learnt of it.
It ends Failed after the rest is done: what was collected stored, the run recorded.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from journeywatch.storage import open_database
from journeywatch.storage.tables import mentions, runs

ROOT = Path(__file__).resolve().parents[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(tmp_path: Path, sqlite_url: str) -> Path:
    (tmp_path / "export.jsonl").write_text(json.dumps(
        {"id": "e1", "text": "Acme Air lost my bag again", "created_at": "2026-11-02T09:00:00+00:00"}) + "\n",
        encoding="utf-8")
    path = tmp_path / "jw.yaml"
    path.write_text(yaml.safe_dump({
        "database": sqlite_url,
        "brands": [{"name": "Acme Air", "query": '"acme air"'}],
        "sources": [{"name": "export", "kind": "file", "path": "export.jsonl"},
                    {"name": "dead", "kind": "feed", "url": f"http://127.0.0.1:{_closed_port()}/feed.xml",
                     "timeout": 2, "retries": 0}],
        "classifier": {"model_dir": str(tmp_path / "no-model")},  # classification fails too
        "alerts": {"enabled": False}}), encoding="utf-8")
    return path


def test_a_strict_run_with_failed_steps_ends_failed_after_storing(prefect_harness: None, sqlite_url: str,
                                                                  tmp_path: Path) -> None:
    from prefect.exceptions import FailedRun

    from journeywatch.flows.monitor import monitor_flow

    state = monitor_flow(str(_config(tmp_path, sqlite_url)), strict=True, return_state=True)

    assert state.is_failed(), state
    message = state.message or ""
    assert "2 step(s) failed (what was collected is stored and the run recorded)" in message, message
    assert "source dead:" in message and "classification:" in message, message
    assert "source export" not in message, message
    engine = open_database(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(mentions)).scalar_one() == 1
        assert [tuple(r) for r in connection.execute(select(runs.c.flow, runs.c.status))] == [("monitor", "partial")]
    with pytest.raises(FailedRun):
        state.result()


def test_without_strict_the_run_completes_as_journeywatch_run_exits_0(prefect_harness: None, sqlite_url: str,
                                                                     tmp_path: Path) -> None:
    from journeywatch.flows.monitor import monitor_flow

    state = monitor_flow(str(_config(tmp_path, sqlite_url)), return_state=True)

    assert state.is_completed(), state
    assert state.result()["sources"][1]["error"]


def test_the_monitor_deployment_is_strict() -> None:
    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    monitors = [d for d in deployments if d["entrypoint"].endswith(":monitor_flow")]
    assert monitors and all(d["parameters"].get("strict") is True for d in monitors), monitors
