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
    result = monitor.classify_distributed_flow.with_options(task_runner=runner)(config)

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
