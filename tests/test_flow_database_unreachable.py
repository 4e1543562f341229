"""A deployment's run whose database does not answer fails with the one line that says so, not a traceback.

Found scaling out: a worker whose JOURNEYWATCH_DATABASE_URL named a PostgreSQL that was down logged Prefect's
"Encountered exception during execution" traceback through flows/monitor.py and storage/database.py before
`ConfigError: JOURNEYWATCH_DATABASE_URL: cannot open postgresql+psycopg://jw:***@...: connection failed`,
where a config error the flow meets on loading its config is that one line alone. Each flow is run as a
worker runs it: `python -m prefect.engine` on a flow run of its entrypoint. No PostgreSQL is needed: the URL
names a port where nothing listens.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "pw-4417-not-shown"


def _deployment(name: str) -> dict:  # type: ignore[type-arg]
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    return next(d for d in declared["deployments"] if d["name"] == name)


@pytest.mark.parametrize("name", ["monitor-hourly", "digest-weekly", "reclassify"])
def test_a_database_that_does_not_answer_fails_the_run_with_its_one_line(
        prefect_harness: None, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.client.orchestration import get_client
    from prefect.flows import load_flow_from_entrypoint
    from prefect.settings import PREFECT_API_URL

    monkeypatch.delenv("JOURNEYWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("JOURNEYWATCH_DASK_ADDRESS", raising=False)
    config = tmp_path / "jw.yaml"
    config.write_text(yaml.safe_dump({"database": f"postgresql://jw:{PASSWORD}@127.0.0.1:9/jw",  # nothing listens
                                      "brands": [{"name": "Acme", "query": "acme"}]}), encoding="utf-8")
    deployment = _deployment(name)
    parameters = {**deployment.get("parameters", {}), "config_path": str(config)}
    if "out" in parameters:
        parameters["out"] = str(tmp_path / "out")
    flow = load_flow_from_entrypoint(str(REPO / deployment["entrypoint"]))
    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(flow, parameters=parameters)
    env = {**os.environ, "PREFECT__FLOW_ENTRYPOINT": deployment["entrypoint"],
           "PREFECT_API_URL": str(PREFECT_API_URL.value()), "PREFECT_LOGGING_LEVEL": "INFO"}
    worker_log = subprocess.run([sys.executable, "-m", "prefect.engine", str(flow_run.id)], cwd=REPO, env=env,
                                capture_output=True, text=True, timeout=240)
    output = worker_log.stdout + worker_log.stderr
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run.id).state

    assert state is not None and state.is_failed(), (state, output)
    assert state.message is not None and state.message.startswith(
        "ConfigError: config key 'database': cannot open postgresql+psycopg://jw:***@127.0.0.1:9/jw: connection "
        "failed"), (state.message, output)
    assert "Encountered exception during execution" not in output, output  # the traceback through our code
    assert "storage/database.py" not in output, output
    assert PASSWORD not in output and PASSWORD not in state.message
