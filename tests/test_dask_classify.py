"""Classification mapped over a real (local, in-process) Dask cluster covers every pending row once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from journeywatch.domain import Mention
from journeywatch.flows import monitor
from journeywatch.settings import parse_config
from journeywatch.storage import count_pending, open_database, store_batch
from journeywatch.storage.tables import classifications

prefect_dask = pytest.importorskip("prefect_dask", reason="prefect-dask (the `scale` extra) is not installed")

TEXTS = ["Acme lost my bag", "acme checkout keeps failing", "Is Acme worth it?", "Avoid Acme, never again",
         "Acme's new ad is everywhere", "Acme shares rose 2%"]


def test_classification_over_dask_covers_every_row(prefect_harness: None, sqlite_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}]})
    engine = open_database(sqlite_url)
    t0 = datetime(2026, 11, 2, tzinfo=timezone.utc)
    store_batch(engine, [Mention(source="s", external_id=str(i), text=f"{TEXTS[i % 6]} #{i}",
                                 created_at=t0 + timedelta(minutes=i), brands=["Acme"]) for i in range(30)])
    monkeypatch.setattr(monitor, "DASK_RANGE", 8)  # several ranges from few rows

    runner = prefect_dask.DaskTaskRunner(cluster_kwargs={"n_workers": 1, "processes": False, "threads_per_worker": 2})
    result = monitor.classify_distributed_flow.with_options(task_runner=runner)(monitor.DaskRun.of(config))

    assert result["ranges"] == 4 and result["classified"] == 30
    assert count_pending(engine) == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(classifications)).scalar_one() == 30


def test_unreachable_dask_scheduler_is_a_failed_step_not_a_crash(prefect_harness: None, sqlite_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}]})
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id="1", text="Acme lost my bag",
                                 created_at=datetime(2026, 11, 2, tzinfo=timezone.utc), brands=["Acme"])])
    monkeypatch.setenv(monitor.DASK_ENV, "tcp://127.0.0.1:9")  # nothing listens there

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = monitor.classify_everything(config)

    assert result["classified"] == 0 and "tcp://127.0.0.1:9" in result["error"]
    assert count_pending(engine) == 1  # left for the next run


def test_a_deployment_loaded_monitor_classifies_on_a_separate_dask_worker_process(
        prefect_harness: None, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deployment loads flows/monitor.py by path (module `monitor`); the worker process must still import the tasks."""
    import sys
    from pathlib import Path

    from distributed.deploy.subprocess import SubprocessCluster
    from prefect.flows import load_flow_from_entrypoint

    flow = load_flow_from_entrypoint(str(Path(__file__).parents[1] / "flows/monitor.py:monitor_flow"))
    loaded = sys.modules[flow.fn.__module__]
    assert loaded is not monitor  # the situation of a deployment's flow run
    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}]})
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id=str(i), text=f"{TEXTS[i % 6]} #{i}",
                                 created_at=datetime(2026, 11, 2, tzinfo=timezone.utc) + timedelta(minutes=i),
                                 brands=["Acme"]) for i in range(6)])

    # scheduler and worker in fresh processes, like `dask scheduler` and `dask worker`: only installed modules import
    with SubprocessCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        monkeypatch.setenv(monitor.DASK_ENV, cluster.scheduler_address)
        result = loaded.classify_everything(config)

    assert "error" not in result and result["classified"] == 6
    assert count_pending(engine) == 0


@pytest.mark.timeout(120)
def test_a_dask_scheduler_without_workers_is_a_failed_step_not_a_hang(prefect_harness: None, sqlite_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A scheduler whose workers all died (or were never started) took the tasks and waited for ever.

    Found running `journeywatch run` against a `dask scheduler` whose `dask worker`s had been stopped:
    no line for minutes, and the deployment's concurrency limit queued every later hourly run behind it.
    """
    import time

    from distributed import LocalCluster

    config = parse_config({"database": sqlite_url, "brands": [{"name": "Acme", "query": "acme"}]})
    engine = open_database(sqlite_url)
    store_batch(engine, [Mention(source="s", external_id="1", text="Acme lost my bag",
                                 created_at=datetime(2026, 11, 2, tzinfo=timezone.utc), brands=["Acme"])])
    monkeypatch.setattr(monitor, "DASK_WORKER_WAIT", 2, raising=False)  # seconds a run waits for a first worker

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        monkeypatch.setenv(monitor.DASK_ENV, cluster.scheduler_address)
        started = time.monotonic()
        result = monitor.classify_everything(config)

    assert time.monotonic() - started < 60
    assert result["classified"] == 0
    assert "no worker is connected" in result["error"] and cluster.scheduler_address in result["error"]
    assert count_pending(engine) == 1  # left for the next run
