"""The deployments of prefect.yaml as `prefect deploy` fills them in and a worker runs them.

Each flow is loaded from its entrypoint by path, as a worker's flow run loads
it, and run under the real Prefect harness with the parameters Prefect's own
templating gives the deployment.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.templating import apply_values

from journeywatch.errors import ConfigError
from journeywatch.storage import open_database

REPO = Path(__file__).resolve().parents[1]


def _deployment(name: str) -> dict[str, Any]:
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    return next(d for d in declared["deployments"] if d["name"] == name)


def _deployed_parameters(name: str) -> dict[str, Any]:
    """The parameters `prefect deploy` stores for deployment `name`, run in this process's environment.

    Its two templating passes (prefect/cli/deploy/_core.py): the environment, then the
    build and push steps' outputs (none here), which blanks what is still unset.
    """
    with_environment = apply_values(_deployment(name), dict(os.environ), remove_notset=False)
    return apply_values(with_environment, {})["parameters"]


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Run loggers at INFO, as in a worker's run: importing `journeywatch.cli` (other tests do) sets WARNING."""
    caplog.set_level(logging.INFO, logger="prefect")


def run_log_messages(flow_run_id: Any, expected: str) -> list[str]:
    """The messages the Prefect API holds for a flow run, waiting a little (logs arrive in batches) for `expected`."""
    with get_client(sync_client=True) as client:
        for _ in range(30):
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
            if any(log.message == expected for log in logs):
                break
            time.sleep(1)
    return [log.message for log in logs]


def _task_runs(flow_run_id: Any) -> list[Any]:
    """The task runs of a flow run, once they are recorded (from their events, shortly after) as finished."""
    with get_client(sync_client=True) as client:
        for _ in range(30):
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            if runs and all(run.state_type in ("COMPLETED", "FAILED") for run in runs):
                break
            time.sleep(1)
    return runs


@pytest.mark.parametrize("name", ["monitor-hourly", "reclassify"])
def test_a_deployment_made_without_journeywatch_config_says_so_when_it_runs(
        prefect_harness: None, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEYWATCH_CONFIG", raising=False)  # not exported where `prefect deploy` ran
    parameters = _deployed_parameters(name)
    assert parameters["config_path"] == ""
    flow = load_flow_from_entrypoint(str(REPO / _deployment(name)["entrypoint"]))

    with pytest.raises(ConfigError, match="JOURNEYWATCH_CONFIG was not set when `prefect deploy` ran"):
        flow(**parameters)


def test_a_digest_deployment_without_a_config_fails_at_once_not_after_its_retries(
        prefect_harness: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest task retries (30 s, then 120 s) for a database that is briefly away, not for a config error."""
    monkeypatch.delenv("JOURNEYWATCH_CONFIG", raising=False)
    flow = load_flow_from_entrypoint(str(REPO / _deployment("digest-weekly")["entrypoint"]))

    state = flow(**_deployed_parameters("digest-weekly"), return_state=True)

    assert state.is_failed() and "JOURNEYWATCH_CONFIG was not set" in state.message
    only_this_run = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
    with get_client(sync_client=True) as client:
        assert client.read_task_runs(flow_run_filter=only_this_run) == []  # read before the task that retries


def test_a_deployed_monitor_run_logs_what_each_source_gave(prefect_harness: None, info_logs: None, tmp_path: Path,
                                                          sqlite_url: str) -> None:
    """A worker's run prints no summary table; its log is what the team sees of each source."""
    (tmp_path / "export.jsonl").write_text("".join(json.dumps(
        {"id": str(i), "text": text, "created_at": f"2026-11-02T0{i}:00:00Z"}) + "\n" for i, text in enumerate(
        ["Acme lost my bag", "acme checkout keeps failing", "Weather is lovely today"])), encoding="utf-8")
    config = tmp_path / "journeywatch.yaml"
    config.write_text(f"database: {sqlite_url}\nbrands: [{{name: Acme, query: acme}}]\n"
                      "sources: [{name: export, kind: file, path: export.jsonl}]\nalerts: {enabled: false}\n",
                      encoding="utf-8")
    flow = load_flow_from_entrypoint(str(REPO / _deployment("monitor-hourly")["entrypoint"]))

    state = flow(config_path=str(config), return_state=True)

    expected = "source export: 3 fetched, 2 new, 0 seen, 0 skipped, 1 unmatched"
    assert state.is_completed() and expected in run_log_messages(state.state_details.flow_run_id, expected)


def test_a_deployed_digest_run_logs_where_its_files_are(prefect_harness: None, info_logs: None, tmp_path: Path,
                                                        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's `out: digests` is relative to the worker's checkout: the log names the full path and host."""
    open_database(sqlite_url)  # an empty week: the digest says so, and is written all the same
    config = tmp_path / "journeywatch.yaml"
    config.write_text(f"database: {sqlite_url}\nbrands: [{{name: Acme, query: acme}}]\n", encoding="utf-8")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)  # where the deployment's pull step puts the run
    parameters = {**_deployed_parameters("digest-weekly"), "config_path": str(config), "week": "2026-W46"}
    flow = load_flow_from_entrypoint(str(REPO / _deployment("digest-weekly")["entrypoint"]))

    state = flow(**parameters, return_state=True)

    expected = f"wrote {checkout / 'digests' / 'acme-2026-W46.html'} on {socket.gethostname()}"
    assert state.is_completed() and expected in run_log_messages(state.state_details.flow_run_id, expected)


def test_a_digest_run_whose_database_file_is_missing_fails_without_retries(
        prefect_harness: None, tmp_path: Path) -> None:
    """A config error found inside the digest task (no database at the path) waited 30 s and 120 s for retries.

    The flow now opens the database with the config (732bebb), before any task: no task runs, none is retried.
    """
    config = tmp_path / "journeywatch.yaml"
    config.write_text(f"database: sqlite:///{tmp_path / 'never-collected.db'}\nbrands: [{{name: Acme, query: acme}}]\n",
                      encoding="utf-8")
    flow = load_flow_from_entrypoint(str(REPO / _deployment("digest-weekly")["entrypoint"]))

    state = flow(config_path=str(config), out=str(tmp_path / "digests"), return_state=True)

    assert state.is_failed() and "no database at" in state.message
    assert [run.run_count for run in _task_runs(state.state_details.flow_run_id) if run.run_count != 1] == []
