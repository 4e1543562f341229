"""The Dask subflow's recorded parameters hold none of the config's secrets.

Prefect stores every flow run's parameters on its server (the UI shows them). The
classify-distributed subflow was given the run's whole config, resolved: the database
password and the tokens of feed and notify URLs, all readable there.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from journeywatch.flows import monitor
from journeywatch.settings import parse_config

prefect_dask = pytest.importorskip("prefect_dask", reason="prefect-dask (the `scale` extra) is not installed")

SECRETS = ("feedtok9911", "hooktok4242")


def _recorded_parameters(name: str) -> list[dict[str, object]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    async def read() -> list[dict[str, object]]:
        async with get_client() as client:
            runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[name])))
            return [run.parameters for run in runs]

    return asyncio.run(read())


def test_the_dask_subflow_records_no_secret(prefect_harness: None, sqlite_url: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import LocalCluster

    config = parse_config({
        "database": sqlite_url,
        "brands": [{"name": "Acme", "query": "acme"}],
        "sources": [{"name": "f", "kind": "feed", "url": f"http://127.0.0.1:9/r.rss?token={SECRETS[0]}"}],
        "alerts": {"notify": [f"json://127.0.0.1:9/hook?-token={SECRETS[1]}"]},
    })
    with LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None) as cluster:
        monkeypatch.setenv(monitor.DASK_ENV, cluster.scheduler_address)
        result = monitor.classify_everything(config)

    assert result["classified"] == 0 and "error" not in result, result
    recorded = json.dumps(_recorded_parameters("classify-distributed"))
    assert recorded != "[]", "the subflow's run was not recorded"
    for secret in SECRETS:
        assert secret not in recorded, recorded
