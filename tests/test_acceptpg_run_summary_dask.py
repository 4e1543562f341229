"""`journeywatch run`'s summary says that the classification ran on the Dask cluster, as Prefect's log does.

With JOURNEYWATCH_DASK_ADDRESS set, the terminal's summary said "Classified 30 new mentions with ..."
alone: only Prefect's log named the cluster. It names it, without the address's credentials.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from journeywatch.flows import monitor

pytest.importorskip("prefect_dask", reason="prefect-dask (the `scale` extra) is not installed")


def test_the_summary_names_the_dask_cluster_and_its_tasks(prefect_harness: None, sqlite_url: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from distributed import LocalCluster

    from journeywatch.cli.core import print_summary

    rows = [{"id": f"r{n}", "text": f"acme lost my bag number {n}", "created_at": "2026-11-20T10:00:00Z"}
            for n in range(12)]
    (tmp_path / "export.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n", encoding="utf-8")
    config = tmp_path / "jw.yaml"
    config.write_text(yaml.safe_dump({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}],
                                      "sources": [{"name": "export", "kind": "file", "path": "export.jsonl"}],
                                      "alerts": {"enabled": False}}), encoding="utf-8")
    monkeypatch.setattr(monitor, "DASK_RANGE", 5)  # three ranges: 5, 5 and 2 rows
    with LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None) as cluster:
        monkeypatch.setenv(monitor.DASK_ENV, cluster.scheduler_address)
        summary = monitor.monitor_flow(str(config))
        capsys.readouterr()
        print_summary(summary)

    out = " ".join(capsys.readouterr().out.split())
    assert "Classified 12 new mentions with" in out, out
    assert f"on the Dask cluster {cluster.scheduler_address} in 3 tasks." in out, out


def test_a_dask_address_s_credentials_stay_out_of_the_summary(prefect_harness: None, sqlite_url: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    from journeywatch.domain import Mention
    from journeywatch.settings import parse_config
    from journeywatch.storage import open_database, store_batch

    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}]})
    store_batch(open_database(sqlite_url), [Mention(source="s", external_id="1", text="Acme lost my bag",
                                                    created_at=datetime(2026, 11, 2, tzinfo=timezone.utc),
                                                    brands=["Acme"])])  # pending: the cluster is called
    monkeypatch.setenv(monitor.DASK_ENV, "tcp://jw:daskpw9931@127.0.0.1:9")  # nothing listens there

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = monitor.classify_everything(config)

    assert result["dask"] == "tcp://****@127.0.0.1:9", result
    assert "daskpw9931" not in json.dumps(result) and "127.0.0.1:9" in result["error"], result
