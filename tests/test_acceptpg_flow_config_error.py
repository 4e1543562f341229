"""A deployment's run whose config names a `${VAR}` that is not set fails with that one line, not our traceback.

The worker's log showed Prefect's "Encountered exception during execution" traceback through the
config loader before `ConfigError: config key 'database': environment variable ... is not set`.
Each flow is run as a worker runs it: `python -m prefect.engine` on a flow run of its entrypoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from prefect.client.schemas.objects import State

REPO = Path(__file__).resolve().parents[1]
MISSING = "JW_TEST_UNSET_DB_PASSWORD_4417"


def _deployment(name: str) -> dict:  # type: ignore[type-arg]
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    return next(d for d in declared["deployments"] if d["name"] == name)


def worker_run(name: str, config: Path, tmp_path: Path) -> tuple[State | None, str]:
    """The flow run's final state and the worker's log, for deployment `name` run on `config` as a worker runs it."""
    from prefect.client.orchestration import get_client
    from prefect.flows import load_flow_from_entrypoint
    from prefect.settings import PREFECT_API_URL

    deployment = _deployment(name)
    parameters = {**deployment.get("parameters", {}), "config_path": str(config)}
    if "out" in parameters:
        parameters["out"] = str(tmp_path / "out")
    flow = load_flow_from_entrypoint(str(REPO / deployment["entrypoint"]))
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(flow, parameters=parameters)
    # A worker logs at INFO; importing journeywatch.cli (another test file did) set WARNING in os.environ.
    env = {**os.environ, "PREFECT__FLOW_ENTRYPOINT": deployment["entrypoint"],
           "PREFECT_API_URL": str(PREFECT_API_URL.value()), "PREFECT_LOGGING_LEVEL": "INFO"}
    worker_log = subprocess.run([sys.executable, "-m", "prefect.engine", str(flow_run.id)], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=240)
    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run.id).state, worker_log.stdout + worker_log.stderr


@pytest.mark.parametrize("name", ["monitor-hourly", "digest-weekly", "reclassify"])
def test_an_unset_variable_fails_the_run_with_its_one_line(prefect_harness: None, name: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MISSING, raising=False)
    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    config = tmp_path / "jw.yaml"
    config.write_text(yaml.safe_dump({"database": f"postgresql://jw:${{{MISSING}}}@127.0.0.1:9/jw",
                                      "brands": [{"name": "Acme", "query": "acme"}]}), encoding="utf-8")
    state, output = worker_run(name, config, tmp_path)

    expected = f"ConfigError: config key 'database': environment variable {MISSING} is not set"
    assert state is not None and state.is_failed(), (state, output)
    assert state.message == expected, (state.message, output)
    assert f'Finished in state Failed("{expected}")' in output, output
    assert "Encountered exception during execution" not in output, output  # the traceback through our code
    assert "settings/config.py" not in output and "flows/steps.py" not in output, output
