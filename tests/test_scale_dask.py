"""`journeywatch run` with a Dask cluster and no Prefect server: the workers' task runs report to the run's server.

The scheduler and worker run in fresh processes, as `dask scheduler` and
`dask worker` do, with no PREFECT_API_URL in their environment.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from journeywatch.flows import monitor
from tests.test_scale_deployments import info_logs, run_log_messages  # noqa: F401  (info_logs: a fixture)

pytest.importorskip("prefect_dask", reason="prefect-dask (the `scale` extra) is not installed")

TEXTS = ["Acme lost my bag", "acme checkout keeps failing", "Is Acme worth it?", "Avoid Acme, never again"]


def _config(tmp_path: Path, sqlite_url: str) -> Path:
    t0 = datetime(2026, 11, 2, tzinfo=timezone.utc)
    (tmp_path / "export.jsonl").write_text("".join(
        json.dumps({"id": str(i), "text": text, "created_at": (t0 + timedelta(hours=i)).isoformat()}) + "\n"
        for i, text in enumerate(TEXTS)), encoding="utf-8")
    path = tmp_path / "journeywatch.yaml"
    path.write_text(f"""
database: {sqlite_url}
brands: [{{name: Acme, query: acme}}]
sources: [{{name: export, kind: file, path: export.jsonl}}]
alerts: {{enabled: false}}
""", encoding="utf-8")
    return path


def _prefect_servers_under_this_process() -> list[str]:
    """Run on a Dask worker: the command lines of any Prefect server it started."""
    import psutil

    children = psutil.Process().children(recursive=True)
    return [" ".join(child.cmdline()) for child in children if "prefect.server" in " ".join(child.cmdline())]


def _task_run_names(tag: str) -> list[str]:
    """The task runs the current Prefect API holds with `tag`, waiting a little for their events to land."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterTags

    with get_client(sync_client=True) as client:
        for _ in range(30):
            runs = client.read_task_runs(task_run_filter=TaskRunFilter(tags=TaskRunFilterTags(all_=[tag])))
            if any(run.name.startswith("classify") for run in runs):
                break
            time.sleep(1)
    return sorted(run.name for run in runs)


def test_dask_workers_report_to_the_runs_temporary_server_and_start_none(
        prefect_harness: None, info_logs: None, tmp_path: Path, sqlite_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import Client
    from distributed.deploy.subprocess import SubprocessCluster
    from prefect import tags
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    config_path = _config(tmp_path, sqlite_url)
    tag = f"h5-{uuid.uuid4().hex[:8]}"

    with SubprocessCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as dask_client:
        monkeypatch.setenv(monitor.DASK_ENV, cluster.scheduler_address)
        # as `journeywatch run` without PREFECT_API_URL: the run is on a temporary server (the harness's)
        with temporary_settings(restore_defaults={PREFECT_API_URL}), tags(tag):
            state = monitor.monitor_flow(str(config_path), return_state=True)
            summary = state.result()
        strays = [line for lines in dask_client.run(_prefect_servers_under_this_process).values() for line in lines]

    assert "error" not in summary["classification"] and summary["classification"]["classified"] == len(TEXTS)
    assert strays == []  # no Prefect server of the worker's own, left running as long as the worker
    assert any(name.startswith("classify") for name in _task_run_names(tag))  # its task run is the run's
    said = f"classified {len(TEXTS)} mentions in 1 Dask task(s) on {cluster.scheduler_address}"
    assert said in run_log_messages(state.state_details.flow_run_id, said)  # the run's own log, not only the worker's


def test_a_dask_task_whose_sqlite_file_is_not_on_its_host_says_so(prefect_harness: None, tmp_path: Path) -> None:
    """A Dask worker on another host does not see the run's SQLite file (here: a path not on this one)."""
    from journeywatch.settings import parse_config

    elsewhere = tmp_path / "on-the-runs-host" / "journeywatch.db"
    config = parse_config({"database": f"sqlite:///{elsewhere}", "brands": [{"name": "Acme", "query": "acme"}]})

    result = monitor.classify_task(config, (1, 5_000))

    assert result["classified"] == 0 and "Dask worker" in result["error"] and "PostgreSQL" in result["error"]
    assert not elsewhere.exists()  # no empty database left where the worker looked


@pytest.mark.postgres
def test_dask_tasks_classify_every_pending_postgresql_row_once(prefect_harness: None, postgres_url: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The team set-up: PostgreSQL, its pending rows split into id ranges, one Dask task a range."""
    from prefect_dask import DaskTaskRunner
    from sqlalchemy import func, select

    from journeywatch.domain import Mention
    from journeywatch.settings import parse_config
    from journeywatch.storage import count_pending, open_database, store_batch
    from journeywatch.storage.tables import classifications

    config = parse_config({"database": postgres_url, "brands": [{"name": "Acme", "query": "acme"}]})
    engine = open_database(postgres_url)
    t0 = datetime(2026, 11, 2, tzinfo=timezone.utc)
    store_batch(engine, [Mention(source="s", external_id=str(i), text=f"{TEXTS[i % len(TEXTS)]} #{i}",
                                 created_at=t0 + timedelta(minutes=i), brands=["Acme"]) for i in range(10)])
    monkeypatch.setattr(monitor, "DASK_RANGE", 4)  # three ranges from ten rows

    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 1, "processes": False, "threads_per_worker": 2})
    result = monitor.classify_distributed_flow.with_options(task_runner=runner)(monitor.DaskRun.of(config))

    assert result["ranges"] == 3 and result["classified"] == 10 and "error" not in result
    assert count_pending(engine) == 0
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(classifications)).scalar_one() == 10


def test_the_scale_extra_serves_the_dask_dashboard_the_run_log_links_to() -> None:
    """prefect-dask logs 'The Dask dashboard is available at ...'; without bokeh that page only says to install it."""
    import tomllib
    from urllib.request import urlopen

    from distributed import LocalCluster

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(req.startswith("bokeh") for req in pyproject["project"]["optional-dependencies"]["scale"])
    pytest.importorskip("bokeh", reason="bokeh (the `scale` extra) is not installed: run `make install`")

    with LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster:
        with urlopen(cluster.dashboard_link, timeout=30) as response:
            page = response.read().decode("utf-8", "replace")

    assert "needs bokeh" not in page and "Dask" in page
