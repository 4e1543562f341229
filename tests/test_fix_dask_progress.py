"""Classification mapped over Dask says how far it has got, as the in-process one does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from journeywatch.domain import Mention
from journeywatch.flows import monitor
from journeywatch.flows.steps import watching_classification
from journeywatch.settings import parse_config
from journeywatch.storage import open_database, store_batch

prefect_dask = pytest.importorskip("prefect_dask", reason="prefect-dask (the `scale` extra) is not installed")

CLI = [sys.executable, "-m", "journeywatch"]


def test_each_dask_range_is_told_to_the_watchers_as_it_comes_back(prefect_harness: None, sqlite_url: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The watchers heard nothing of the ranges (or, from a worker in this process, 'classified 8 of 8')."""
    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}]})
    t0 = datetime(2026, 11, 2, tzinfo=timezone.utc)
    store_batch(open_database(sqlite_url), [
        Mention(source="s", external_id=str(i), text=f"Acme lost my bag #{i}", created_at=t0 + timedelta(minutes=i),
                brands=["Acme"]) for i in range(30)])
    monkeypatch.setattr(monitor, "DASK_RANGE", 8)  # four ranges: 8, 8, 8 and 6 rows
    heard: list[tuple[int, int]] = []

    runner = prefect_dask.DaskTaskRunner(cluster_kwargs={"n_workers": 1, "processes": False, "threads_per_worker": 2})
    with watching_classification(lambda done, total: heard.append((done, total))):
        result = monitor.classify_distributed_flow.with_options(task_runner=runner)(monitor.DaskRun.of(config))

    assert result["classified"] == 30
    assert len(heard) == 4 and all(total == 30 for _, total in heard), heard
    assert [done for done, _ in heard] == sorted(done for done, _ in heard) and heard[-1] == (30, 30)


def test_a_run_on_a_dask_cluster_logs_its_progress(tmp_path: Path) -> None:
    """`journeywatch run` into a log with JOURNEYWATCH_DASK_ADDRESS printed no progress line at all."""
    from distributed.deploy.subprocess import SubprocessCluster

    rows = [{"id": f"r{n}", "text": f"acme lost my bag number {n}", "created_at": "2026-11-20T10:00:00Z"}
            for n in range(12)]
    (tmp_path / "export.jsonl").write_text("\n".join(map(json.dumps, rows)) + "\n", encoding="utf-8")
    (tmp_path / "jw.yaml").write_text(
        "database: sqlite:///jw.db\nbrands: [{name: Acme, query: acme}]\n"
        "sources: [{name: export, kind: file, path: export.jsonl}]\nalerts: {enabled: false}\n", encoding="utf-8")
    env = {**os.environ, "JOURNEYWATCH_PROGRESS_SECONDS": "0"}
    env.pop("PREFECT_API_URL", None)
    with SubprocessCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster, \
            open(tmp_path / "run.log", "w+", encoding="utf-8") as log:  # stderr a file, as under cron
        result = subprocess.run([*CLI, "run", "--config", "jw.yaml"], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=log, text=True, timeout=400,
                                env={**env, monitor.DASK_ENV: cluster.scheduler_address})
    logged = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert result.returncode == 0, logged
    assert "Classified 12 new mentions" in " ".join(result.stdout.split()), result.stdout
    lines = [line for line in logged.splitlines() if line.startswith("classified ")]
    assert [line.split(" (")[0] for line in lines] == ["classified 12 of 12"], logged
