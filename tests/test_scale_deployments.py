"""The deployments of prefect.yaml as `prefect deploy` fills them in and a worker runs them.

Each flow is loaded from its entrypoint by path, as a worker's flow run loads
it, and run under the real Prefect harness with the parameters Prefect's own
templating gives the deployment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.templating import apply_values

from journeywatch.errors import ConfigError

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


@pytest.mark.parametrize("name", ["monitor-hourly", "reclassify"])
def test_a_deployment_made_without_journeywatch_config_says_so_when_it_runs(
        prefect_harness: None, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOURNEYWATCH_CONFIG", raising=False)  # not exported where `prefect deploy` ran
    parameters = _deployed_parameters(name)
    assert parameters["config_path"] == ""
    flow = load_flow_from_entrypoint(str(REPO / _deployment(name)["entrypoint"]))

    with pytest.raises(ConfigError, match="JOURNEYWATCH_CONFIG was not set when `prefect deploy` ran"):
        flow(**parameters)
