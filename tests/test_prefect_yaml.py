"""prefect.yaml declares loadable flows with the parameters they take and valid schedules."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.flows import load_flow_from_entrypoint
from prefect.utilities.callables import parameter_schema

REPO = Path(__file__).resolve().parents[1]


def test_every_deployment_loads_its_flow_with_its_parameters() -> None:
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"]: d for d in declared["deployments"]}
    assert set(deployments) == {"monitor-hourly", "digest-weekly", "reclassify"}
    for deployment in deployments.values():
        flow = load_flow_from_entrypoint(str(REPO / deployment["entrypoint"]))
        accepted = set(parameter_schema(flow.fn).properties)
        assert set(deployment.get("parameters", {})) <= accepted, deployment["name"]
    assert deployments["monitor-hourly"]["schedules"][0]["cron"] == "0 * * * *"
    assert deployments["digest-weekly"]["schedules"][0]["cron"] == "0 8 * * 1"
